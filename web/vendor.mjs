// Copies the front-end libraries the workspace uses from node_modules into the assets that
// `kensa serve` embeds (run `npm ci && npm run vendor` after changing a version in
// package.json; the copies are committed so that building Kensa needs no Node.js).
//
// world.json, for the logins map, is made here from world-atlas (Natural Earth, public domain):
// the 1:110m country outlines as GeoJSON named by ISO 3166-1 alpha-2 code (what the records
// and IP intelligence use), coordinates rounded to 0.01°, rings across the antimeridian
// unwrapped, Antarctica left out; and a centroid
// for every country of the 1:50m set, so that small countries the outlines omit (Singapore,
// Hong Kong...) still get a point on the map.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { feature } = require('topojson-client');
const countries = require('i18n-iso-countries');

const out = (name) => new URL(`../crates/kensa-report/assets/vendor/${name}`, import.meta.url);
const files = [
  ['node_modules/echarts/dist/echarts.min.js', 'echarts.min.js'],
  ['node_modules/echarts/LICENSE', 'echarts.LICENSE'],
  ['node_modules/world-atlas/LICENSE', 'world-atlas.LICENSE'],
];
for (const [from, to] of files) copyFileSync(new URL(from, import.meta.url), out(to));

const alpha2 = (f) => {
  // Natural Earth gives Kosovo and Northern Cyprus no ISO number.
  if (f.properties?.name === 'Kosovo') return 'XK';
  return f.id ? countries.numericToAlpha2(f.id) : undefined;
};
// A ring that crosses the antimeridian (Russia's Chukotka, Fiji) jumps from +180° to -180°,
// which a flat map draws as a line across the world: its western points move past +180°.
const unwrap = (ring) => (ring.some((p, i) => i && Math.abs(p[0] - ring[i - 1][0]) > 180) ? ring.map(([x, y]) => [x < 0 ? x + 360 : x, y]) : ring);
const unwrapGeom = (g) => ({ type: g.type, coordinates: g.type === 'Polygon' ? g.coordinates.map(unwrap) : g.coordinates.map((poly) => poly.map(unwrap)) });
const round = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * 100) / 100, Math.round(c[1] * 100) / 100] : c.map(round));
const load = (scale) => {
  const topo = JSON.parse(readFileSync(new URL(`node_modules/world-atlas/countries-${scale}.json`, import.meta.url)));
  return feature(topo, topo.objects.countries).features;
};

// The centroid of a country: of its largest ring, by the shoelace formula (planar is close
// enough for placing a marker).
function centroid(geom) {
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
  let best = null;
  for (const poly of polys) {
    const ring = poly[0];
    let a = 0, cx = 0, cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += f; cx += (ring[j][0] + ring[i][0]) * f; cy += (ring[j][1] + ring[i][1]) * f;
    }
    if (a === 0) continue;
    const c = { area: Math.abs(a), at: [Math.round((cx / (3 * a)) * 10) / 10, Math.round((cy / (3 * a)) * 10) / 10] };
    if (!best || c.area > best.area) best = c;
  }
  return best?.at;
}

const outlines = load('110m')
  .map((f) => ({ type: 'Feature', properties: { name: alpha2(f) }, geometry: (({ type, coordinates }) => ({ type, coordinates: round(coordinates) }))(unwrapGeom(f.geometry)) }))
  .filter((f) => f.properties.name && f.properties.name !== 'AQ');
const centroids = {};
for (const f of load('50m')) {
  const code = alpha2(f);
  if (code && f.geometry && !centroids[code]) centroids[code] = centroid(f.geometry);
}
writeFileSync(out('world.json'), JSON.stringify({ geo: { type: 'FeatureCollection', features: outlines }, centroids }));

for (const [, to] of [...files, [null, 'world.json']]) {
  const sum = createHash('sha256').update(readFileSync(out(to))).digest('hex');
  console.log(`${to}  sha256 ${sum}`);
}
