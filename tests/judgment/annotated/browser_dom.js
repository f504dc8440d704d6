import DOMPurify from "dompurify";

const params = new URLSearchParams(window.location.search);
const query = params.get("q");
const banner = document.getElementById("banner");

// ruleid: xss
banner.innerHTML = "<b>Results for " + query + "</b>";

// ok: xss
banner.textContent = "Results for " + query;

const note = document.getElementById("note");
// ok: xss
note.innerHTML = DOMPurify.sanitize(query);

const hash = decodeURIComponent(location.hash.slice(1));
// ruleid: xss
document.write("<div>" + hash + "</div>");

window.addEventListener("message", (event) => {
  const data = event.data;
  // ruleid: xss
  document.getElementById("inbox").innerHTML = data.html;
});

window.addEventListener("message", (event) => {
  if (event.origin !== "https://app.example.com") {
    return;
  }
  // ok: xss
  document.getElementById("inbox").innerHTML = event.data.html;
});

const next = params.get("next");
// ruleid: open-redirect
window.location.href = next;

// ok: open-redirect
window.location.href = "/dashboard";

const code = params.get("expr");
// ruleid: code-injection
setTimeout("compute(" + code + ")", 10);

// ok: code-injection
setTimeout(() => compute(code), 10);

function compute(value) {
  return Number(value) * 2;
}
