//! The analyst workspace's files, built into every binary that presents results: `kensa serve`
//! serves them at `/` and `/assets/...`, and `report.html` inlines them so that the offline
//! report shows a subject exactly as the workspace does.
//!
//! `index.html`, `app.js`, `app.css` are ours (plain JavaScript over the JSON API, no build
//! step); `vendor/echarts.min.js` is Apache ECharts (Apache-2.0) and `vendor/world.json` the
//! Natural Earth country outlines (public domain, via world-atlas, ISC), both made by
//! `web/vendor.mjs` from the versions pinned in `web/package.json`.

/// The workspace page.
pub const INDEX_HTML: &str = include_str!("../assets/index.html");
/// The workspace's script: queue, subject page, cases; in a report it reads the embedded data
/// instead of the API.
pub const APP_JS: &str = include_str!("../assets/app.js");
pub const APP_CSS: &str = include_str!("../assets/app.css");
pub const ECHARTS_JS: &str = include_str!("../assets/vendor/echarts.min.js");
/// `{"geo": GeoJSON FeatureCollection named by ISO alpha-2 code, "centroids": {code: [lon, lat]}}`.
pub const WORLD_JSON: &str = include_str!("../assets/vendor/world.json");

/// `(name, content type, text)` of every file under `/assets/`.
pub const FILES: &[(&str, &str, &str)] = &[
    ("app.js", "text/javascript; charset=utf-8", APP_JS),
    ("app.css", "text/css; charset=utf-8", APP_CSS),
    (
        "echarts.min.js",
        "text/javascript; charset=utf-8",
        ECHARTS_JS,
    ),
    ("world.json", "application/json", WORLD_JSON),
];
