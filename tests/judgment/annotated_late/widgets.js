import $ from "jquery";

const fragment = window.location.hash.substring(1);

// ruleid: xss
$("#welcome").html("<span>" + fragment + "</span>");

// ok: xss
$("#welcome").text(fragment);

const ref = document.referrer;
const back = document.getElementById("back");
// ruleid: xss
back.outerHTML = `<a href="${ref}">Back</a>`;

const config = new URLSearchParams(location.search).get("config");
// ruleid: code-injection
const settings = eval("(" + config + ")");

// ok: code-injection
const parsed = JSON.parse(config);

const page = new URLSearchParams(location.search).get("page");
// ruleid: open-redirect
location.assign(page);

const ALLOWED = ["/home", "/help"];
if (ALLOWED.includes(page)) {
  // ok: open-redirect
  location.assign(page);
}

export { settings, parsed };
