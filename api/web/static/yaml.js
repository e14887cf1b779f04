/* A tiny YAML writer and reader for the scenario library's format (scenarios/README.md):
   top-level scalars, flow lists of scalars ([a, b]), block lists (- a), and mappings nested
   by indentation; plain, 'single' and "double" quoted scalars, plain scalars continued on
   more-indented lines, | and > block scalars, comments. Nothing else of YAML is needed for a
   scenario, and nothing is downloaded at run time. Errors name the line. */
"use strict";

const YAML_RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;
const YAML_NUMBER = /^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const YAML_PLAIN_SAFE = /^[A-Za-z][A-Za-z0-9 _.,()'/&+!?;-]*$/;

function yamlScalar(v) {
  if (v === null || v === undefined) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  const str = String(v);
  if (YAML_PLAIN_SAFE.test(str) && !YAML_RESERVED.test(str) && !/\s$/.test(str)) return str;
  return JSON.stringify(str);  // a JSON string is a YAML double-quoted scalar
}

/* doc: an object whose values are scalars, arrays of scalars or objects of the same. */
function yamlDump(doc, indent = "") {
  const out = [];
  for (const [k, v] of Object.entries(doc)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) out.push(`${indent}${k}: [${v.map(yamlScalar).join(", ")}]`);
    else if (v !== null && typeof v === "object") {
      out.push(`${indent}${k}:`);
      out.push(yamlDump(v, indent + "  "));
    } else out.push(`${indent}${k}: ${yamlScalar(v)}`);
  }
  return out.filter((l) => l !== "").join("\n");
}

class YamlError extends Error {
  constructor(line, msg) { super(`line ${line}: ${msg}`); this.line = line; }
}

function stripComment(text) {
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) { if (c === quote) quote = null; continue; }
    if ((c === "'" || c === '"') && (i === 0 || /[\s[,:]/.test(text[i - 1]))) quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]))) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

function yamlValue(raw, line) {
  const t = raw.trim();
  if (t === "" || t === "~" || t === "null" || t === "Null" || t === "NULL") return null;
  if (/^(true|yes|on)$/i.test(t)) return true;
  if (/^(false|no|off)$/i.test(t)) return false;
  if (t.startsWith('"')) {
    if (!t.endsWith('"') || t.length < 2) throw new YamlError(line, "a double-quoted string is not closed");
    try { return JSON.parse(t); } catch { throw new YamlError(line, "a double-quoted string could not be read"); }
  }
  if (t.startsWith("'")) {
    if (!t.endsWith("'") || t.length < 2) throw new YamlError(line, "a single-quoted string is not closed");
    return t.slice(1, -1).replace(/''/g, "'");
  }
  if (t.startsWith("[")) {
    if (!t.endsWith("]")) throw new YamlError(line, "a [list] is not closed");
    const inner = t.slice(1, -1).trim();
    return inner === "" ? [] : splitFlow(inner).map((x) => yamlValue(x, line));
  }
  if (t.startsWith("{")) throw new YamlError(line, "{flow mappings} are not read here: write one key per line");
  if (YAML_NUMBER.test(t) && /\d/.test(t)) return Number(t.replace(/_/g, ""));
  return t;
}

function splitFlow(inner) {
  const parts = [];
  let quote = null, cur = "";
  for (const c of inner) {
    if (quote) { cur += c; if (c === quote) quote = null; continue; }
    if (c === "'" || c === '"') { quote = c; cur += c; continue; }
    if (c === ",") { parts.push(cur); cur = ""; continue; }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/* The text of a YAML document → a plain object. Throws YamlError naming the line. */
function yamlLoad(text) {
  const lines = String(text).replace(/\r\n?/g, "\n").split("\n").map((raw, i) => {
    if (/\t/.test(raw.match(/^\s*/)[0])) throw new YamlError(i + 1, "indent with spaces, not tabs");
    return { n: i + 1, indent: raw.match(/^ */)[0].length, raw, text: stripComment(raw).trim() };
  });
  let pos = 0;
  const next = () => { while (pos < lines.length && lines[pos].text === "") pos++; return lines[pos]; };

  function block(indent) {
    const first = next();
    if (!first || first.indent < indent) return null;
    if (first.text.startsWith("- ") || first.text === "-") return list(first.indent);
    return mapping(first.indent);
  }

  function list(indent) {
    const out = [];
    for (let l = next(); l && l.indent === indent && (l.text.startsWith("- ") || l.text === "-"); l = next()) {
      pos++;
      out.push(yamlValue(l.text.slice(1), l.n));
    }
    return out;
  }

  function mapping(indent) {
    const out = {};
    for (let l = next(); l && l.indent >= indent; l = next()) {
      if (l.indent > indent) throw new YamlError(l.n, "unexpected indentation");
      const m = l.text.match(/^("[^"]*"|'[^']*'|[^\s:#'"][^:#]*?)\s*:(\s+(.*))?$/);
      if (!m) throw new YamlError(l.n, `expected "key: value", got "${l.text}"`);
      const key = String(yamlValue(m[1], l.n));
      if (Object.prototype.hasOwnProperty.call(out, key)) throw new YamlError(l.n, `the key "${key}" is given twice`);
      pos++;
      const rest = (m[3] || "").trim();
      if (rest === "") {
        const nested = next();
        out[key] = nested && nested.indent > indent ? block(nested.indent)
          : nested && nested.indent === indent && nested.text.startsWith("- ") ? list(indent) : null;
      } else if (/^[|>][-+]?$/.test(rest)) {
        const body = [];
        while (pos < lines.length && (lines[pos].raw.trim() === "" || lines[pos].indent > indent)) body.push(lines[pos++].raw);
        while (body.length && body[body.length - 1].trim() === "") body.pop();
        const cut = Math.min(...body.filter((b) => b.trim()).map((b) => b.match(/^ */)[0].length));
        const texts = body.map((b) => b.slice(cut));
        out[key] = rest[0] === "|" ? texts.join("\n") + (rest.endsWith("-") ? "" : "\n")
          : texts.join(" ").replace(/ {2,}/g, " ").trim() + (rest.endsWith("-") ? "" : "\n");
      } else {
        let value = rest;
        // a plain scalar may continue on more-indented lines
        while (!/^["'[]/.test(rest)) {
          const c = lines[pos];
          if (!c || c.text === "" || c.indent <= indent) break;
          value += " " + c.text;
          pos++;
        }
        out[key] = yamlValue(value, l.n);
      }
    }
    return out;
  }

  const doc = block(0);
  const left = next();
  if (left) throw new YamlError(left.n, "unexpected text after the document");
  if (doc === null) return {};
  if (Array.isArray(doc)) throw new YamlError(1, "a scenario is a mapping of keys, not a list");
  return doc;
}
