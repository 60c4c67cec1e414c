/* The command centre's map, on Leaflet (vendored in ../shared/ with its licence):
   open reports as markers a finger can hit (≥ 28 px), clustered, spread apart
   (spiderfied) where reports sit metres apart so each one can be opened; the
   kecamatan names above the markers (clicks pass through them), their borders where
   the operator configured them, a density view by kecamatan, and tiles from the
   configured server, or none: the plain map works offline. */
(function (root) {
  "use strict";
  const L = root.L;

  /* A div icon that carries a name for screen readers and the reports it stands for
     (the browser tests, and the title a pointer shows). */
  const ReportIcon = L.DivIcon.extend({
    createIcon(old) {
      const div = L.DivIcon.prototype.createIcon.call(this, old);
      div.setAttribute("aria-label", this.options.label);
      div.title = this.options.label;
      Object.assign(div.dataset, this.options.data);
      // a cluster's ring: its squads' colours in proportion (CSSOM: the CSP allows no inline style)
      if (this.options.ring) div.style.setProperty("--ring", this.options.ring);
      if (this.options.role) div.setAttribute("role", this.options.role); // else a button (Leaflet's)
      return div;
    },
  });

  function text(tag, className, value) {
    const node = document.createElement(tag);
    node.className = className;
    node.textContent = value;
    return node;
  }

  function create(container, options) {
    const calm = root.matchMedia("(prefers-reduced-motion: reduce)").matches;
    const map = L.map(container, {
      zoomControl: false, attributionControl: false, maxZoom: 18, minZoom: 8, zoomSnap: 0.25,
      zoomAnimation: !calm, fadeAnimation: !calm, markerZoomAnimation: !calm,
    });
    const words = options.words();
    L.control.zoom({ zoomInTitle: words.zoomIn, zoomOutTitle: words.zoomOut }).addTo(map);
    L.control.attribution({ prefix: "Leaflet" }).addTo(map);
    map.createPane("names").classList.add("names-pane"); // above markers, never in the way of a click
    const districts = options.districts;
    const bounds = L.latLngBounds(districts.map((d) => [d.lat, d.lon])).pad(0.08);
    map.fitBounds(bounds);
    map.setMaxBounds(bounds.pad(1));

    if (options.tileUrl) {
      const tiles = L.tileLayer(options.tileUrl, { attribution: options.tileAttribution, maxZoom: 18 });
      tiles.once("tileerror", () => options.onTileError());
      tiles.addTo(map);
    } else {
      container.classList.add("no-tiles");
    }

    const names = L.layerGroup(districts.map((d) => L.marker([d.lat, d.lon], {
      pane: "names", interactive: false, keyboard: false,
      icon: L.divIcon({ className: "district-name", html: text("span", "", d.name), iconSize: null }),
    }))).addTo(map);

    let outlines = null;
    const showOutlines = (geojson) => {
      if (!geojson.features.length) return;
      outlines = L.geoJSON(geojson, { interactive: false, className: "outline", style: { weight: 1.5 } }).addTo(map);
      container.dataset.outlines = String(geojson.features.length);
    };

    const clusters = L.markerClusterGroup({
      maxClusterRadius: 40, spiderfyOnMaxZoom: true, showCoverageOnHover: false,
      animate: !calm, spiderfyDistanceMultiplier: 1.6,
      iconCreateFunction(cluster) {
        const reports = cluster.getAllChildMarkers().map((m) => m.options.report);
        const counts = new Map();
        for (const r of reports) counts.set(r.squad, (counts.get(r.squad) || 0) + 1);
        const bySquad = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
        const late = reports.some((r) => r.overdue);
        let from = 0;
        const stops = bySquad.map(([code, n]) => {
          const to = from + (360 * n) / reports.length;
          const stop = `${options.colour(code)} ${from}deg ${to}deg`;
          from = to;
          return stop;
        });
        const icon = new ReportIcon({
          className: `report-marker cluster${late ? " overdue" : ""}`,
          html: text("span", "count", String(reports.length)), iconSize: [40, 40],
          label: options.words().cluster(reports.length, late, bySquad),
          ring: `conic-gradient(${stops.join(", ")})`,
          data: { reports: reports.map((r) => r.id).join(" "), squads: bySquad.map(([code]) => code).join(" ") },
        });
        if (bySquad.length === 1) icon.options.className += ` squad-${bySquad[0][0]}`;
        return icon;
      },
    });
    map.addLayer(clusters);
    const density = L.layerGroup();
    const markers = new Map(); // report id -> { marker, key }
    let drawn = "";

    // what a marker shows: a change rebuilds that one marker
    const keyOf = (r, lang) => `${lang}|${r.squad}|${r.status}|${r.overdue}|${r.lat}|${r.lon}`;

    function markerFor(r) {
      const marker = L.marker([r.lat, r.lon], {
        report: r, keyboard: true,
        icon: new ReportIcon({
          className: `report-marker single squad-${r.squad}${r.overdue ? " overdue" : ""}`,
          iconSize: [28, 28], label: options.words().marker(r), data: { reports: r.id },
        }),
      });
      marker.on("click", () => options.onOpen(r.id));
      return marker;
    }

    /* Markers for these reports: only those whose report changed are replaced. The
       cluster library folds a spread cluster on any change, so while the regent has
       one spread open the change waits until it closes (the list and cards update). */
    let spread = false;
    let waiting = null;
    clusters.on("spiderfied", () => { spread = true; });
    clusters.on("unspiderfied", () => {
      spread = false;
      if (waiting) place(waiting.reports, waiting.lang);
    });

    function show(reports, byDensity) {
      const lang = document.documentElement.lang;
      const signature = `${byDensity}|${lang}|` + reports.map((r) => `${r.id}:${keyOf(r, lang)}`).join(",");
      if (signature === drawn) return;
      drawn = signature;
      density.clearLayers();
      if (byDensity) {
        map.removeLayer(clusters);
        drawDensity(reports);
        density.addTo(map);
        soon();
        return;
      }
      map.removeLayer(density);
      if (!map.hasLayer(clusters)) map.addLayer(clusters);
      if (spread) waiting = { reports, lang };
      else place(reports, lang);
    }

    function place(reports, lang) {
      waiting = null;
      const wanted = new Map(reports.map((r) => [r.id, r]));
      const gone = [];
      for (const [id, held] of markers) {
        const r = wanted.get(id);
        if (!r || held.key !== keyOf(r, lang)) {
          gone.push(held.marker);
          markers.delete(id);
        }
      }
      const added = reports.filter((r) => !markers.has(r.id)).map((r) => {
        const marker = markerFor(r);
        markers.set(r.id, { marker, key: keyOf(r, lang) });
        return marker;
      });
      if (gone.length) clusters.removeLayers(gone);
      if (added.length) clusters.addLayers(added);
      soon();
    }

    /* Open reports per kecamatan: a circle whose area is the count, and the borders
       shaded by it where they are known. */
    function drawDensity(reports) {
      const counts = new Map();
      for (const r of reports) counts.set(r.district, (counts.get(r.district) || 0) + 1);
      const most = Math.max(1, ...counts.values());
      if (outlines) {
        outlines.setStyle((feature) => ({ fillOpacity: 0.05 + 0.5 * (counts.get(feature.properties.code) || 0) / most }));
      }
      for (const d of districts) {
        const n = counts.get(d.code) || 0;
        if (!n) continue;
        const size = Math.round(28 + 10 * Math.sqrt(n));
        density.addLayer(L.marker([d.lat, d.lon], {
          interactive: false, keyboard: false,
          icon: new ReportIcon({
            className: "density", role: "img", html: text("span", "count", String(n)), iconSize: [size, size],
            label: options.words().density(d.name, n), data: { district: d.code, count: String(n) },
          }),
        }));
      }
    }

    /* The kecamatan names stay readable: a name a marker or a cluster stands on moves
       above it, or beside it, wherever it is clear of every marker. */
    function unclutter() {
      const boxes = [...container.querySelectorAll(".report-marker, .density")].map((m) => m.getBoundingClientRect());
      const clear = (r) => !boxes.some((b) => r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom);
      names.eachLayer((layer) => {
        const at = layer.getElement(), span = at?.firstChild;
        if (!span) return;
        const { left, top } = at.getBoundingClientRect(), w = span.offsetWidth, h = span.offsetHeight;
        const places = [[-w / 2, 24], [-w / 2, -24 - h], [24, -h / 2], [-24 - w, -h / 2], [-w / 2, 44], [-w / 2, -44 - h]];
        const [dx, dy] = places.find(([x, y]) => clear({ left: left + x, top: top + y, right: left + x + w, bottom: top + y + h })) || places[0];
        span.style.setProperty("transform", `translate(${Math.round(dx)}px, ${Math.round(dy)}px)`);
      });
    }
    const soon = () => root.requestAnimationFrame(unclutter);
    map.on("zoomend moveend resize", soon);
    clusters.on("animationend spiderfied unspiderfied", soon);

    return {
      show,
      showOutlines,
      // drawn while the board was hidden (no size yet): measure again, show the regency
      reset: () => { map.invalidateSize(); map.fitBounds(bounds); },
      names,
      leaflet: map,
    };
  }

  root.CommandMap = { create };
})(window);
