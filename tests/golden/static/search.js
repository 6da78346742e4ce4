// Site search: one Pagefind index holds every language (builder/render/search.py), so a first
// query loads one WebAssembly module and the index chunks its words need. Each page's index
// entry also carries the spellings of the entities it names (never shown): a snippet made
// from them is replaced by one from the page's own text. Dates, counts and language names
// are written in the search page's language. Nothing leaves the site: the index and
// Pagefind's code live under the site's own pagefind/ folder.
const form = document.querySelector(".search-form");
const input = form.querySelector("input[type=search]");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const text = form.dataset;
const bundle = text.bundle;
const mine = text.lang;
const PAGE = 20;
const EXCERPT_WORDS = 30;
const dates = new Intl.DateTimeFormat(mine, { dateStyle: "long", timeZone: "UTC" });
const numbers = new Intl.NumberFormat(mine);
const names = new Intl.DisplayNames([mine], { type: "language", fallback: "none" });
const language = form.querySelector("select[name=lang]");

let pagefind = null;
let results = [];
let shown = 0;
let latest = 0;

async function load() {
  const api = await import(`${bundle}pagefind.js`);
  await api.options({ basePath: bundle, excerptLength: EXCERPT_WORDS });
  await api.init();
  return api;
}

// Of the story pages (one per interface language) only the reader's own is searched.
function filters(kind) {
  const chosen = language.value;
  const of = kind === "story" ? { kind, language: mine } : { kind };
  return chosen ? { all: [of, { language: chosen }] } : of;
}

// A story page gathers every spelling of its names and links its members: it comes before them.
// The second search reuses the chunks the first one loaded.
async function find(query) {
  const [stories, articles] = await Promise.all(["story", "article"].map((kind) => pagefind.search(query, { filters: filters(kind) })));
  return [...stories.results, ...articles.results];
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
      pagefind = pagefind || (await load());
      const found = await find(query);
      if (id !== latest) return;
      results = found;
      await more();
      message = results.length ? text.count.replace("{num}", numbers.format(results.length)) : text.none;
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

// The excerpt when it comes from the page's text; otherwise (the query matched only the entity
// names) the text around the first query word, or the text's start.
function snippet(data, query) {
  const own = data.meta.names ? data.content.slice(0, data.content.lastIndexOf(data.meta.names)) : data.content;
  const plain = (data.excerpt || "").replace(/<\/?mark>/g, "");
  const box = document.createElement("textarea");
  box.innerHTML = plain;
  if (plain && own.includes(box.value.trim())) return excerpt(data.excerpt);
  const words = own.split(/\s+/);
  const terms = query.toLocaleLowerCase(mine).split(/\s+/).filter(Boolean);
  const at = Math.max(0, words.findIndex((w) => terms.some((t) => w.toLocaleLowerCase().startsWith(t))));
  const start = Math.max(0, at - EXCERPT_WORDS / 3);
  return [words.slice(start, start + EXCERPT_WORDS).join(" ")];
}

function item({ data, query }) {
  const meta = data.meta;
  const lang = meta.language || "";
  const title = el("a", { href: data.url, lang, dir: "auto", className: "article-title", textContent: meta.title || data.url });
  const day = meta.date ? new Date(`${meta.date}T00:00:00Z`) : null;
  const facts = [
    lang && el("span", { textContent: names.of(lang) || lang }),
    meta.source && el("bdi", { lang, textContent: meta.source }),
    day && !isNaN(day) && el("time", { dateTime: meta.date, textContent: dates.format(day) }),
  ].filter(Boolean);
  return el("li", {}, [
    title,
    facts.length ? el("span", { className: "meta" }, facts.flatMap((f, i) => (i ? [" · ", f] : [f]))) : "",
    el("p", { className: "excerpt", lang, dir: "auto" }, snippet(data, query)),
  ]);
}

// Results are fetched a page at a time: each one is a small file of its own.
async function more() {
  const id = latest;
  const query = input.value;
  const page = await Promise.all(results.slice(shown, shown + PAGE).map(async (r) => ({ query, data: await r.data() })));
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
  if (language.value) url.searchParams.set("lang", language.value);
  else url.searchParams.delete("lang");
  history.replaceState(null, "", url);
  search(query);
});

const params = new URL(location.href).searchParams;
const initial = params.get("q");
language.value = [...language.options].some((o) => o.value === params.get("lang")) ? params.get("lang") : "";
language.addEventListener("change", () => input.value.trim() && form.requestSubmit());
if (initial) {
  input.value = initial;
  search(initial);
}
