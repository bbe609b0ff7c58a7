// Renders /openapi/v1.json as a list of operations grouped by tag.
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

function resolve(doc, schema) {
  if (schema && schema.$ref) {
    const name = schema.$ref.split("/").pop();
    return doc.components && doc.components.schemas ? doc.components.schemas[name] || schema : schema;
  }
  return schema;
}

function operation(doc, path, method, op) {
  const body = el("div");
  if (op.description || op.summary) body.append(el("p", {}, op.description || op.summary));
  if (op.parameters && op.parameters.length) {
    const list = el("ul");
    for (const p of op.parameters) list.append(el("li", {}, el("code", {}, p.name), ` (${p.in}${p.required ? ", required" : ""})`));
    body.append(el("h4", {}, "Parameters"), list);
  }
  const json = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  if (json) body.append(el("h4", {}, "Request body"), el("pre", {}, JSON.stringify(resolve(doc, json.schema), null, 2)));
  const responses = el("ul");
  for (const [status, r] of Object.entries(op.responses || {})) responses.append(el("li", {}, el("code", {}, status), " ", r.description || ""));
  body.append(el("h4", {}, "Responses"), responses);
  const summary = el("summary", {}, el("span", { class: `method ${method}` }, method), " ", el("code", {}, path));
  const details = el("details", { "data-search": `${method} ${path} ${(op.tags || []).join(" ")} ${op.description || ""}`.toLowerCase() }, summary, body);
  return details;
}

async function render() {
  const main = document.getElementById("reference");
  try {
    const doc = await (await fetch("/openapi/v1.json")).json();
    const byTag = new Map();
    for (const [path, item] of Object.entries(doc.paths || {})) {
      for (const [method, op] of Object.entries(item)) {
        const tag = (op.tags && op.tags[0]) || "other";
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag).push(operation(doc, path, method, op));
      }
    }
    main.replaceChildren();
    main.append(el("p", { class: "muted" }, `${doc.info.title} ${doc.info.version}`));
    for (const [tag, ops] of byTag) main.append(el("section", {}, el("h2", {}, tag), ...ops));
  } catch (err) {
    main.replaceChildren(el("p", {}, `Could not load the API description: ${err}`));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  render();
  document.getElementById("filter").addEventListener("input", (event) => {
    const needle = event.target.value.trim().toLowerCase();
    for (const d of document.querySelectorAll("details")) d.hidden = needle !== "" && !d.dataset.search.includes(needle);
  });
});
