import { searchProducts } from "./api.js";

const form = document.querySelector("#search");
const results = document.querySelector("#results");
const heading = document.querySelector("#results-heading");

function productItem(p) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = `/p/${encodeURIComponent(p.id)}`;
  link.textContent = p.name;
  li.append(link, ` – ${p.price}`);
  return li;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const term = new FormData(form).get("q");
  heading.textContent = `Results for ${term}`;
  const products = await searchProducts(term);
  results.replaceChildren(...products.map(productItem));
});
