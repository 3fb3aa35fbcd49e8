(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('proxima-data').textContent);
  var C = D.classes;
  var S = D.style;  // ink, uninhabited, isochrone: the colours of the PNG maps and QGIS
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
  // The beyond-threshold mark, as on the PNG maps: black where people live, grey elsewhere.
  var defsInner = document.createElementNS(NS, 'defs');
  [['proxima-hatch', S.ink, '2.2'], ['proxima-hatch-empty', S.uninhabited, '1.5']].forEach(function (h) {
    var pattern = document.createElementNS(NS, 'pattern');
    pattern.setAttribute('id', h[0]);
    pattern.setAttribute('patternUnits', 'userSpaceOnUse');
    pattern.setAttribute('width', '8'); pattern.setAttribute('height', '8');
    pattern.setAttribute('patternTransform', 'rotate(45)');
    var stripe = document.createElementNS(NS, 'rect');
    stripe.setAttribute('width', h[2]); stripe.setAttribute('height', '8');
    stripe.setAttribute('fill', h[1]);
    pattern.appendChild(stripe);
    defsInner.appendChild(pattern);
  });
  defs.appendChild(defsInner);
  document.body.appendChild(defs);

  var map = L.map('map', {zoomSnap: 0.25, zoomDelta: 0.5, zoomControl: false});
  L.control.zoom({zoomInTitle: 'Zoom avant', zoomOutTitle: 'Zoom arrière'}).addTo(map);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(esc(D.attribution));
  L.control.scale({imperial: false}).addTo(map);
  // Drawing order, bottom to top: choropleth (overlayPane, 400), isochrones, deficit hatching,
  // inhabited places, facilities, names. Isochrones and hatching are lines and marks over the
  // communes, never in the way of a click on them (no pointer events).
  [['isochrones', 410], ['deficit', 420], ['places', 430], ['facilities', 440], ['labels', 650]].forEach(function (p) {
    map.createPane(p[0]);
    map.getPane(p[0]).style.zIndex = p[1];
  });
  ['labels', 'deficit', 'isochrones'].forEach(function (p) { map.getPane(p).style.pointerEvents = 'none'; });

  var small = window.matchMedia && window.matchMedia('(max-width: 700px)').matches;
  // A popup lists every service: beyond about fifteen it scrolls within the map rather than
  // running past its top.
  var popupHeight = Math.max(200, Math.round(document.getElementById('map').clientHeight * 0.6));
  var communes = D.layers.communes;
  var origins = D.layers[D.origins_layer];
  var cells = D.origins_layer === 'cells';
  // Each service's minutes and time class of the origins (or cells) are columns in feature order,
  // not properties of every feature (a région's 100 services would make each carry 100 keys).
  origins.features.forEach(function (f, i) { f.index = i; });
  function originMinutes(f, id) {
    var v = D.origin_minutes[id][f.index];
    return v === undefined ? null : v;
  }
  function originClass(f, id) { return D.origin_classes[id].charCodeAt(f.index) - 48; }
  // Deficit areas and isochrones come delta-encoded (integers in 1e-5 degree, each vertex from the
  // one before, across the rings and parts of a geometry; detail::delta_encoded_polygons): back to
  // GeoJSON coordinates, once per layer, when it is first drawn.
  function decodeDelta(g) {
    if (!g || !g.delta_e5) return g;
    var x = 0, y = 0;
    function ring(r) {
      var out = new Array(r.length / 2);
      for (var i = 0; i < r.length; i += 2) {
        x += r[i];
        y += r[i + 1];
        out[i / 2] = [x / 1e5, y / 1e5];
      }
      return out;
    }
    function polygon(p) { return p.map(ring); }
    return {type: g.type, coordinates: g.type === 'Polygon' ? polygon(g.delta_e5) : g.delta_e5.map(polygon)};
  }
  function decoded(layer) {
    if (layer && !layer.decoded) {
      layer.features.forEach(function (f) { f.geometry = decodeDelta(f.geometry); });
      layer.decoded = true;
    }
    return layer;
  }
  // French communes (INSEE codes), or the study's own zones (Andorra's parishes, a custom layer).
  var zoneOf = D.code_field === 'code_insee' ? 'la commune' : 'la zone';
  var codeField = D.code_field;
  var unit = codeField === 'code_insee' ? 'Commune' : 'Zone';
  var zoneNames = {};
  communes.features.forEach(function (f) { zoneNames[f.properties[codeField]] = f.properties.nom; });

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
  function originPopup(f) {
    var p = f.properties;
    // Named by its place (a commune's name rather than its code; a cell by its commune).
    var zone = zoneNames[p.zone];
    var title = cells ? 'Carreau' + (zone ? ' — ' + zone : '')
              : (p.id === p.zone && zone ? zone : p.id + (zone && zone !== p.id ? ' — ' + zone : ''));
    var h = '<div class="popup"><b>' + esc(title) + '</b><br>Population : ' +
            (p.population === null ? '—' : nf0.format(p.population) + ' hab.') + '<table>';
    D.services.forEach(function (s) {
      var v = originMinutes(f, s.id);
      var over = v === null || v > s.threshold_min;
      h += '<tr><td>' + esc(s.label) + '</td><td class="n' + (over ? ' over' : '') + '">' +
           (v === null ? 'inaccessible' : swatch(classOf(v)) + minutes(v)) + '</td></tr>';
    });
    return h + '</table></div>';
  }

  // One group per service: choropleth, deficit hatching, facilities. A group is drawn the first
  // time its service is shown: a région's 100 services would otherwise build 100 choropleths and
  // 100 deficit layers before the page answers. Popups are written when opened, for the same reason.
  var groups = {}, first = null, byName = {}, active = null;
  function fill(s, g) {
    if (cells) {
      L.geoJSON(origins, {
        style: function (f) {
          return {stroke: false, fillColor: C[originClass(f, s.id)].colour, fillOpacity: 0.9};
        },
        onEachFeature: function (f, l) { l.bindPopup(function () { return originPopup(f); }, {maxHeight: popupHeight}); }
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
        l.bindPopup(function () { return communePopup(f.properties); }, {maxWidth: 460, maxHeight: popupHeight});
        l.bindTooltip(esc(f.properties.nom), {sticky: true});
      }
    }).addTo(g);
    var deficit = decoded(D.layers['deficit_' + s.id]);
    L.geoJSON(deficit, {
      style: function (f) {
        var lived = f.properties.inhabited !== 0;
        return {color: lived ? S.ink : S.uninhabited, weight: lived ? 2.5 : 1.2,
                fillColor: lived ? 'url(#proxima-hatch)' : 'url(#proxima-hatch-empty)', fillOpacity: 1};
      },
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
  }
  D.services.forEach(function (s) {
    var g = L.layerGroup(), filled = false;
    g.on('add', function () {
      if (!filled) {
        filled = true;
        fill(s, g);
      }
    });
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
      onEachFeature: function (f, l) { l.bindPopup(function () { return originPopup(f); }, {maxHeight: popupHeight}); }
    });
    overlays['Lieux habités (origines)'] = points;
    // Several places per commune: a commune's mean can hide a far hamlet; show them at once.
    if (origins.features.length > communes.features.length) points.addTo(map);
  }
  // A service's isochrones, drawn the first time they are shown.
  var isoLayers = {};
  function isochrones(s) {
    var iso = D.layers['isochrones_' + s.id];
    if (!iso) return null;
    if (!isoLayers[s.id]) {
      isoLayers[s.id] = L.geoJSON(decoded(iso), {
        pane: 'isochrones', interactive: false,
        style: function (f) {
          var thr = f.properties.limit_min === s.threshold_min;
          return {color: S.isochrone, weight: thr ? 2.5 : 1.5, dashArray: thr ? null : '5 4', fillOpacity: 0};
        }
      });
    }
    return isoLayers[s.id];
  }
  var isoGroup = L.layerGroup();
  if (D.services.some(function (s) { return D.layers['isochrones_' + s.id]; })) {
    overlays['Isochrones du service'] = isoGroup;
  }

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
         (cells ? ', par carreau' : ', moyenne de ' + zoneOf) + '</div>';
    for (var k = 0; k < C.length; k++) {
      h += '<div>' + swatch(k) + esc(C[k].label) + '</div>';
      if (k === s.threshold_class) {
        h += '<div class="seuil' + (s.threshold_on_bound ? '' : ' in') + '">seuil : ' + nfT.format(s.threshold_min) +
             ' min' + (s.threshold_on_bound ? '' : ' (dans la classe ci-dessus)') + '</div>';
      }
    }
    if (!cells) h += '<div><i class="blank"></i>sans habitant localisé</div>';
    var hatch = function (c, w) {
      return 'background:repeating-linear-gradient(45deg,' + c + ' 0 ' + w + 'px,transparent ' + w + 'px 6px);' +
             'border-color:' + c;
    };
    h += '<div><i class="hatch" style="' + hatch(S.ink, 2) + '"></i>territoire au-delà de ' +
         nfT.format(s.threshold_min) + ' min, habité</div>';
    h += '<div><i class="hatch empty" style="' + hatch(S.uninhabited, 1.5) + '"></i>… et sans habitant</div>';
    if (map.hasLayer(isoGroup) && D.layers['isochrones_' + s.id]) {
      h += '<div><i class="iso" style="border-top-color:' + S.isochrone + '"></i>isochrone ' +
           nfT.format(s.threshold_min) + ' min (seuil)</div>';
      h += '<div><i class="iso band" style="border-top-color:' + S.isochrone + '"></i>isochrones 10, 20, 30, 45, ' +
           '60 min</div>';
    }
    if (!cells && overlays['Lieux habités (origines)'] && map.hasLayer(overlays['Lieux habités (origines)'])) {
      h += '<div><i class="dot" style="border-color:#000;border-width:3px"></i>lieu habité au-delà du seuil</div>';
    }
    var n = s.facilities === null ? '' : ' (' + nf0.format(s.facilities) + ')';
    h += '<div><i class="dot"></i>' + esc(s.label) + n + '</div>';
    if (s.population_over !== null) {
      h += '<div class="s">Au-delà du seuil : <b>' + nf0.format(s.population_over) + ' hab.</b>' +
           (s.share_over === null ? '' : ' (' + nf1.format(100 * s.share_over) + '\u00a0%)') + '</div>';
    }
    // A collapsible legend: open on a large screen, closed on a phone (it would cover the map).
    var open = this._open === undefined ? !small : this._open;
    this._div.innerHTML = '<details' + (open ? ' open' : '') + '><summary>Légende</summary>' + h + '</details>';
    var self = this;
    this._div.firstChild.addEventListener('toggle', function () {
      self._open = self._div.firstChild.open;
      if (layersControl) fitLayerList();  // a closed legend leaves the list more room
    });
    L.DomEvent.disableClickPropagation(this._div);
  };
  legend.addTo(map);

  function activate(name) {
    var s = byName[name];
    active = s;
    legend.update(s);
    if (overlays['Lieux habités (origines)']) {
      overlays['Lieux habités (origines)'].setStyle(function (f) {
        var v = originMinutes(f, s.id);
        var over = v === null || v > s.threshold_min;
        return {fillColor: C[originClass(f, s.id)].colour, color: over ? '#000' : '#444', weight: over ? 2.5 : 1};
      });
    }
    showIsochrones();
  }
  // The active service's isochrones, built only when the overlay is ticked.
  function showIsochrones() {
    isoGroup.clearLayers();
    if (active === null || !map.hasLayer(isoGroup)) return;
    var iso = isochrones(active);
    if (iso) isoGroup.addLayer(iso);
  }
  var layersControl = L.control.layers(groups, overlays, {collapsed: small, position: 'topright'});
  // A région's 100 services: the list of services scrolls above the legend instead of running
  // under it (Leaflet only keeps it within the map; on a phone it is collapsed and Leaflet sizes
  // it). Nothing changes where both fit.
  function fitLayerList() {
    var control = layersControl.getContainer();
    var section = control.querySelector('.leaflet-control-layers-list');
    if (small || !section) return;
    section.style.height = '';
    section.classList.remove('leaflet-control-layers-scrollbar');
    var top = section.getBoundingClientRect().top;
    var below = control.getBoundingClientRect().bottom - section.getBoundingClientRect().bottom;
    var room = Math.floor(legend.getContainer().getBoundingClientRect().top - top - below);
    if (section.offsetHeight > room) {
      section.classList.add('leaflet-control-layers-scrollbar');
      section.style.height = Math.max(80, room - 6) + 'px';
    }
  }
  map.on('baselayerchange', function (e) { activate(e.name); fitLayerList(); });
  map.on('overlayadd overlayremove', function (e) {
    if (e.layer === isoGroup) showIsochrones();
    if (active !== null) legend.update(active);
    fitLayerList();
  });
  window.addEventListener('resize', fitLayerList);
  layersControl.addTo(map);
  if (first !== null) {
    groups[first].addTo(map);
    activate(first);
  }

  var bounds = L.geoJSON(communes).getBounds();
  if (!bounds.isValid()) bounds = L.geoJSON(D.layers.services).getBounds();
  function frame() {
    map.invalidateSize({animate: false});
    // Keep the study clear of the legend (bottom right) when the map is wide enough for both.
    var box = legend.getContainer ? legend.getContainer() : null;
    var side = box && box.offsetWidth < map.getSize().x / 2 ? box.offsetWidth + 12 : 12;
    if (bounds.isValid()) {
      map.fitBounds(bounds, {paddingTopLeft: [12, 12], paddingBottomRight: [side, 12], animate: false});
    } else {
      map.setView([46.6, 2.4], 6, {animate: false});
    }
  }
  frame();
  fitLayerList();
  // Printed, the map is narrower than on screen: frame the whole study again on the page, and
  // back on the screen afterwards.
  window.addEventListener('beforeprint', frame);
  window.addEventListener('afterprint', frame);
  if (window.matchMedia) {
    var print = window.matchMedia('print');
    var onPrint = function () { frame(); };
    if (print.addEventListener) print.addEventListener('change', onPrint); else print.addListener(onPrint);
  }

  // Static maps: a click (or Enter) shows one full window, another click closes it.
  Array.prototype.forEach.call(document.querySelectorAll('.static-map img'), function (img) {
    img.tabIndex = 0;
    function toggle() { img.classList.toggle('zoomed'); }
    img.addEventListener('click', toggle);
    img.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') toggle();
      else if (e.key === 'Escape') img.classList.remove('zoomed');
    });
  });
})();
