(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('proxima-data').textContent);
  var C = D.classes;
  var nf1 = new Intl.NumberFormat('fr-FR', {minimumFractionDigits: 1, maximumFractionDigits: 1});
  var nf0 = new Intl.NumberFormat('fr-FR', {maximumFractionDigits: 0});
  var nfT = new Intl.NumberFormat('fr-FR', {maximumFractionDigits: 1});  // thresholds: 30, or 7,5
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  function minutes(v) { return nf1.format(v) + '\u00a0min'; }
  function swatch(k) { return '<i style="background:' + C[k].colour + '"></i>'; }
  function classOf(v) {
    if (v === null || v === undefined) return C.length - 1;
    for (var k = 0; k < C.length - 1; k++) if (C[k].upper === null || v <= C[k].upper) return k;
    return C.length - 2;
  }

  // The deficit hatching: an SVG pattern Leaflet's paths can use as fill ("url(#proxima-hatch)").
  var NS = 'http://www.w3.org/2000/svg';
  var defs = document.createElementNS(NS, 'svg');
  defs.setAttribute('width', '0'); defs.setAttribute('height', '0');
  defs.style.position = 'absolute';
  var pattern = document.createElementNS(NS, 'pattern');
  pattern.setAttribute('id', 'proxima-hatch');
  pattern.setAttribute('patternUnits', 'userSpaceOnUse');
  pattern.setAttribute('width', '8'); pattern.setAttribute('height', '8');
  pattern.setAttribute('patternTransform', 'rotate(45)');
  var stripe = document.createElementNS(NS, 'rect');
  stripe.setAttribute('width', '2.5'); stripe.setAttribute('height', '8');
  stripe.setAttribute('fill', '#b2182b');
  pattern.appendChild(stripe);
  var defsInner = document.createElementNS(NS, 'defs');
  defsInner.appendChild(pattern); defs.appendChild(defsInner);
  document.body.appendChild(defs);

  var map = L.map('map', {zoomSnap: 0.25, zoomDelta: 0.5});
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(esc(D.attribution));
  L.control.scale({imperial: false}).addTo(map);
  // Drawing order, bottom to top: choropleth (overlayPane, 400), isochrones, deficit hatching,
  // inhabited places, facilities, names.
  [['isochrones', 410], ['deficit', 420], ['places', 430], ['facilities', 440], ['labels', 650]].forEach(function (p) {
    map.createPane(p[0]);
    map.getPane(p[0]).style.zIndex = p[1];
  });
  map.getPane('labels').style.pointerEvents = 'none';
  map.getPane('deficit').style.pointerEvents = 'none';

  var communes = D.layers.communes;
  var origins = D.layers[D.origins_layer];
  var cells = D.origins_layer === 'cells';
  var codeField = D.code_field;
  var unit = codeField === 'code_insee' ? 'Commune' : 'Zone';

  function timeCell(p, id) {
    var over = p[id + '_over'], mean = p[id + '_min'], max = p[id + '_max_min'], pop = p[id + '_pop_over'];
    if (over === null || over === undefined) return '<td>—</td><td>—</td><td>—</td>';
    var a = mean === null ? 'inaccessible' : swatch(classOf(mean)) + minutes(mean);
    var b = max === null ? 'inaccessible' : minutes(max);
    var c = pop === null ? '—' : nf0.format(pop) + ' hab.';
    return '<td class="n' + (over === 1 ? ' over' : '') + '">' + a + '</td><td class="n">' + b + '</td>' +
           '<td class="n' + (pop > 0 ? ' over' : '') + '">' + c + '</td>';
  }
  function communePopup(p) {
    var h = '<div class="popup"><b>' + esc(p.nom) + '</b> (' + esc(p[codeField]) + ')<br>';
    h += 'Population : ' + (p.population === null ? '—' : nf0.format(p.population) + ' hab.');
    if (p.epci_nom) h += '<br>EPCI : ' + esc(p.epci_nom);
    h += '<table><tr><th>Service</th><th>Temps moyen</th><th>Le plus long</th><th>Au-delà du seuil</th></tr>';
    D.services.forEach(function (s) {
      h += '<tr><td>' + esc(s.label) + ' <small>(seuil ' + nfT.format(s.threshold_min) + ' min)</small></td>' +
           timeCell(p, s.id) + '</tr>';
    });
    h += '</table>';
    if (D.services.some(function (s) { return p[s.id + '_over'] === null || p[s.id + '_over'] === undefined; })) {
      h += '<small>— : aucun habitant localisé dans cette ' + unit.toLowerCase() + '.</small>';
    } else {
      h += '<small>Temps moyen pondéré par la population ; en rouge : au-delà du seuil.</small>';
    }
    return h + '</div>';
  }
  function originPopup(p) {
    var h = '<div class="popup"><b>' + esc(p.id) + '</b><br>Population : ' +
            (p.population === null ? '—' : nf0.format(p.population) + ' hab.') + '<table>';
    D.services.forEach(function (s) {
      var v = p[s.id + '_min'];
      var over = v === null || v > s.threshold_min;
      h += '<tr><td>' + esc(s.label) + '</td><td class="n' + (over ? ' over' : '') + '">' +
           (v === null ? 'inaccessible' : swatch(classOf(v)) + minutes(v)) + '</td></tr>';
    });
    return h + '</table></div>';
  }

  // One group per service: choropleth, deficit hatching, facilities.
  var groups = {}, first = null, byName = {}, active = null;
  D.services.forEach(function (s) {
    var g = L.layerGroup();
    if (cells) {
      L.geoJSON(origins, {
        style: function (f) {
          return {stroke: false, fillColor: C[f.classes[s.id]].colour, fillOpacity: 0.9};
        },
        onEachFeature: function (f, l) { l.bindPopup(originPopup(f.properties)); }
      }).addTo(g);
    }
    L.geoJSON(communes, {
      style: function (f) {
        var k = f.classes[s.id];
        if (cells) return {color: '#333', weight: 1.2, fillOpacity: 0};
        if (k === null) return {color: '#777', weight: 1, fillColor: '#ffffff', fillOpacity: 0.8};
        return {color: '#444', weight: 1, fillColor: C[k].colour, fillOpacity: 0.9};
      },
      onEachFeature: function (f, l) {
        l.bindPopup(communePopup(f.properties), {maxWidth: 460});
        l.bindTooltip(esc(f.properties.nom), {sticky: true});
      }
    }).addTo(g);
    var deficit = D.layers['deficit_' + s.id];
    L.geoJSON(deficit, {
      style: {color: '#b2182b', weight: 2.5, fillColor: 'url(#proxima-hatch)', fillOpacity: 1},
      pane: 'deficit', interactive: false
    }).addTo(g);
    L.geoJSON(D.layers.services, {
      filter: function (f) { return f.properties.service === s.id; },
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, {radius: 6, color: '#111', weight: 2, fillColor: '#fff', fillOpacity: 1,
                                   pane: 'facilities'});
      },
      onEachFeature: function (f, l) {
        l.bindPopup('<div class="popup"><b>' + esc(f.properties.name || f.properties.id) + '</b><br>' +
                    esc(s.label) + '<br><small>' + esc(f.properties.id) + '</small></div>');
      }
    }).addTo(g);
    var name = esc(s.label) + ' <small>(' + nfT.format(s.threshold_min) + ' min)</small>';
    groups[name] = g;
    byName[name] = s;
    if (first === null) first = name;
  });

  var overlays = {};
  if (!cells && origins.features.length > 0) {
    var points = L.geoJSON(origins, {
      pointToLayer: function (f, ll) {
        var r = 3 + Math.min(7, Math.sqrt(f.properties.population || 0) / 12);
        return L.circleMarker(ll, {radius: r, color: '#222', weight: 1, fillOpacity: 1, pane: 'places'});
      },
      onEachFeature: function (f, l) { l.bindPopup(originPopup(f.properties)); }
    });
    overlays['Lieux habités (origines)'] = points;
    // Several places per commune: a commune's mean can hide a far hamlet; show them at once.
    if (origins.features.length > communes.features.length) points.addTo(map);
  }
  var isoLayers = {};
  D.services.forEach(function (s) {
    var iso = D.layers['isochrones_' + s.id];
    if (!iso) return;
    isoLayers[s.id] = L.geoJSON(iso, {
      pane: 'isochrones',
      style: function (f) {
        var thr = f.properties.limit_min === s.threshold_min;
        return {color: thr ? '#b2182b' : '#222', weight: thr ? 2.5 : 1.5, dashArray: thr ? null : '5 4',
                fillOpacity: 0};
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip('Isochrone ' + nfT.format(p.limit_min) + ' min' +
                      (p.area_km2 === null || p.area_km2 === undefined ? '' : ' (' + nf1.format(p.area_km2) + ' km²)'),
                      {sticky: true});
      }
    });
  });
  var isoGroup = L.layerGroup();
  if (Object.keys(isoLayers).length > 0) overlays['Isochrones du service'] = isoGroup;

  // Commune names, always above.
  communes.features.forEach(function (f) {
    if (!f.label_at) return;
    L.marker([f.label_at[1], f.label_at[0]], {
      pane: 'labels', interactive: false, keyboard: false,
      icon: L.divIcon({className: 'lbl', html: '<div>' + esc(f.properties.nom) + '</div>', iconSize: null})
    }).addTo(map);
  });

  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () { this._div = L.DomUtil.create('div', 'legend'); return this._div; };
  legend.update = function (s) {
    var h = '<div class="t">' + esc(s.label) + '</div>';
    h += '<div class="s">Temps d\'accès en voiture (minutes)' +
         (cells ? ', par carreau' : ', moyenne de la commune') + '</div>';
    for (var k = 0; k < C.length; k++) {
      h += '<div>' + swatch(k) + esc(C[k].label) + '</div>';
      if (k === s.threshold_class) {
        h += '<div class="seuil' + (s.threshold_on_bound ? '' : ' in') + '">seuil : ' + nfT.format(s.threshold_min) +
             ' min' + (s.threshold_on_bound ? '' : ' (dans la classe ci-dessus)') + '</div>';
      }
    }
    if (!cells) h += '<div><i class="blank"></i>sans habitant localisé</div>';
    h += '<div><i class="hatch"></i>au-delà du seuil de ' + nfT.format(s.threshold_min) + ' min</div>';
    if (!cells && overlays['Lieux habités (origines)'] && map.hasLayer(overlays['Lieux habités (origines)'])) {
      h += '<div><i class="dot" style="border-color:#b2182b;border-radius:50%"></i>lieu habité au-delà du seuil</div>';
    }
    var n = s.facilities === null ? '' : ' (' + nf0.format(s.facilities) + ')';
    h += '<div><i class="dot"></i>' + esc(s.label) + n + '</div>';
    if (s.population_over !== null) {
      h += '<div class="s">Au-delà du seuil : <b>' + nf0.format(s.population_over) + ' hab.</b>' +
           (s.share_over === null ? '' : ' (' + nf1.format(100 * s.share_over) + '\u00a0%)') + '</div>';
    }
    this._div.innerHTML = h;
  };
  legend.addTo(map);

  function activate(name) {
    var s = byName[name];
    active = s;
    legend.update(s);
    if (overlays['Lieux habités (origines)']) {
      overlays['Lieux habités (origines)'].setStyle(function (f) {
        var v = f.properties[s.id + '_min'];
        var over = v === null || v > s.threshold_min;
        return {fillColor: C[f.classes[s.id]].colour, color: over ? '#b2182b' : '#222', weight: over ? 2.5 : 1};
      });
    }
    isoGroup.clearLayers();
    if (isoLayers[s.id]) isoGroup.addLayer(isoLayers[s.id]);
  }
  map.on('baselayerchange', function (e) { activate(e.name); });
  map.on('overlayadd overlayremove', function () { if (active !== null) legend.update(active); });
  L.control.layers(groups, overlays, {collapsed: false, position: 'topright'}).addTo(map);
  if (first !== null) {
    groups[first].addTo(map);
    activate(first);
  }

  var bounds = L.geoJSON(communes).getBounds();
  if (!bounds.isValid()) bounds = L.geoJSON(D.layers.services).getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, {padding: [12, 12]});
  else map.setView([46.6, 2.4], 6);
})();
