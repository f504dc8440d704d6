import { searchProducts } from "./api.js";

const form = document.querySelector("#search");
const results = document.querySelector("#results");
const heading = document.querySelector("#results-heading");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const term = new FormData(form).get("q");
  heading.innerHTML = `Results for <em>${term}</em>`;
  const products = await searchProducts(term);
  results.innerHTML = products
    .map((p) => `<li><a href="/p/${p.id}">${p.name}</a> – ${p.price}</li>`)
    .join("");
});

const params = new URLSearchParams(location.search);
if (params.has("q")) {
  document.querySelector("#q").value = params.get("q");
  heading.innerHTML = "Results for " + params.get("q");
}
