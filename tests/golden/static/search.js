// Site search: queries every language's Pagefind index at once and lists the results.
//
// Pagefind splits its index by each page's <html lang> and stems each language with its
// own rules, but one Pagefind instance searches one language, and one copy of its module
// holds one language's WebAssembly. So this script imports a copy of the module per
// language (a distinct URL is a distinct module, with its own worker) and merges their
// results by score. Nothing leaves the site: the index and Pagefind's code live under
// the site's own pagefind/ folder.
const form = document.querySelector(".search-form");
const input = form.querySelector("input[type=search]");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const text = form.dataset;
const bundle = text.bundle;
const PAGE = 20;

let instances = null; // [{lang, api}]
let results = [];
let shown = 0;
let latest = 0;

async function load() {
  const entry = await (await fetch(`${bundle}pagefind-entry.json`)).json();
  const root = document.documentElement;
  const own = root.lang;
  const made = await Promise.all(Object.keys(entry.languages).map(async (lang) => {
    const pagefind = await import(`${bundle}pagefind.js?lang=${encodeURIComponent(lang)}`);
    // createInstance takes the language to load from <html lang>, synchronously.
    root.lang = lang;
    try {
      return { lang, api: pagefind.createInstance({ basePath: bundle }) };
    } finally {
      root.lang = own;
    }
  }));
  await Promise.all(made.map((m) => m.api.init()));
  return made;
}

// The result list is aria-busy while a query runs: assistive technology (and the browser tests)
// can tell a finished search with no results from one still loading.
async function search(query) {
  const id = ++latest;
  list.replaceChildren();
  document.querySelector(".search-more")?.remove();
  shown = 0;
  list.setAttribute("aria-busy", "true");
  status.textContent = query.trim() ? text.searching : "";
  let message = "";
  if (query.trim()) {
    try {
      instances = instances || (await load());
      const mine = text.lang.toLowerCase();
      // A story has a page per interface language: only the reader's own is listed.
      const answers = await Promise.all(instances.map(async ({ lang, api }) => {
        // Only story pages carry a filter: with one value per index, Pagefind writes it the same way every build.
        const found = await api.search(query, lang === mine ? {} : { filters: { kind: { none: ["story"] } } });
        return found.results.map((r) => ({ lang, score: r.score, data: r.data }));
      }));
      if (id !== latest) return;
      results = answers.flat().sort((a, b) => b.score - a.score);
      await more();
      message = results.length ? text.count.replace("{num}", results.length) : text.none;
    } catch (error) {
      console.error(error);
      message = text.failed;
    }
  }
  if (id !== latest) return;
  status.textContent = message;
  list.setAttribute("aria-busy", "false");
}

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

// Pagefind marks matches with <mark> in an otherwise plain excerpt; build nodes, never innerHTML.
function excerpt(html) {
  const parts = html.split(/<\/?mark>/);
  const box = document.createElement("textarea"); // decodes entities, runs nothing, keeps spaces
  const decode = (s) => { box.innerHTML = s; return box.value; };
  return parts.map((part, i) => (i % 2 ? el("mark", { textContent: decode(part) }) : decode(part)));
}

function item({ lang, data }) {
  const meta = data.meta;
  const title = el("a", { href: data.url, lang, dir: "auto", className: "article-title", textContent: meta.title || data.url });
  const facts = [meta.language, meta.source, meta.date].filter(Boolean).join(" · ");
  return el("li", {}, [
    title,
    facts ? el("span", { className: "meta", lang, textContent: facts }) : "",
    el("p", { className: "excerpt", lang, dir: "auto" }, excerpt(data.excerpt || "")),
  ]);
}

// Results are fetched a page at a time: each one is a small file of its own.
async function more() {
  const id = latest;
  const page = await Promise.all(results.slice(shown, shown + PAGE).map(async (r) => ({ ...r, data: await r.data() })));
  if (id !== latest) return;
  list.append(...page.map(item));
  shown += page.length;
  document.querySelector(".search-more")?.remove();
  if (shown < results.length) {
    const button = el("button", { type: "button", className: "search-more", textContent: text.more });
    button.addEventListener("click", async () => {
      const first = shown;
      await more();
      list.children[first]?.querySelector("a")?.focus();
    });
    list.after(button);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = input.value;
  const url = new URL(location.href);
  url.searchParams.set("q", query);
  history.replaceState(null, "", url);
  search(query);
});

const initial = new URL(location.href).searchParams.get("q");
if (initial) {
  input.value = initial;
  search(initial);
}
