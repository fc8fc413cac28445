// The live dashboard: draws /api/v1/dashboard as the server pushes it (Server-Sent Events), or polls
// it every 10 s where pushes do not get through (?poll=1 forces polling). No build step: plain
// JavaScript and uPlot, vendored beside this file.
(function () {
  'use strict';
  var POLL_MS = 10000;
  var page = new URLSearchParams(window.location.search);
  var query = ['from', 'to', 'minutes'].filter(function (k) { return page.get(k); })
    .map(function (k) { return k + '=' + encodeURIComponent(page.get(k)); }).join('&');
  var suffix = query ? '?' + query : '';
  var chart = null;
  var lastComputedAt = null;
  var drawn = {};

  // Redraws a part only when its data changed, so an unchanged page does not flicker.
  function changed(part, data) {
    var json = JSON.stringify(data);
    if (drawn[part] === json) { return false; }
    drawn[part] = json;
    return true;
  }

  function number(n) { return Number(n).toLocaleString('en-US'); }
  function $(id) { return document.getElementById(id); }

  function setValue(id, value) {
    var el = $(id);
    el.textContent = number(value);
    el.setAttribute('data-value', String(value));
  }

  function status(text, kind) {
    var el = $('status');
    el.textContent = text;
    el.className = 'status' + (kind ? ' ' + kind : '');
  }

  function series(answer) {
    return answer.buckets.map(function (b) { return b.present ? b.count : null; });
  }

  function drawChart(d) {
    var xs = d.events_per_minute.buckets.map(function (b) { return Date.parse(b.start) / 1000; });
    var data = [xs, series(d.events_per_minute), series(d.errors_per_minute)];
    var box = $('chart-events');
    if (chart === null) {
      chart = new uPlot({
        width: Math.max(box.clientWidth, 300),
        height: 260,
        scales: { x: { time: true } },
        series: [
          { label: 'minute (local time)' },
          { label: 'events', stroke: '#3b6fd4', width: 2, fill: 'rgba(59,111,212,0.08)' },
          { label: 'errors', stroke: '#c0392b', width: 2 }
        ],
        axes: [{}, { size: 60 }]
      }, data, box);
      window.addEventListener('resize', function () {
        chart.setSize({ width: Math.max(box.clientWidth, 300), height: 260 });
      });
    } else {
      chart.setData(data);
    }
  }

  function drawFunnels(answer) {
    var box = $('funnels');
    $('funnel-day').textContent = '(attempts started ' + answer.day + ')';
    if (answer.funnels.length === 0) {
      box.innerHTML = '<p class="muted">No funnel step reached yet.</p>';
      return;
    }
    box.innerHTML = '';
    answer.funnels.forEach(function (f) {
      var div = document.createElement('div');
      div.className = 'funnel';
      div.setAttribute('data-funnel', f.funnel);
      var title = document.createElement('h3');
      title.textContent = f.funnel;
      div.appendChild(title);
      f.steps.forEach(function (s) {
        var row = document.createElement('div');
        row.className = 'step';
        row.setAttribute('data-step', String(s.step));
        var name = document.createElement('span');
        name.textContent = s.step + '. ' + s.step_name;
        var bar = document.createElement('div');
        bar.className = 'bar';
        var fill = document.createElement('div');
        fill.style.width = Math.max(0, Math.min(100, s.overall_conversion * 100)).toFixed(1) + '%';
        bar.appendChild(fill);
        var users = document.createElement('span');
        users.className = 'users';
        users.textContent = number(s.users);
        users.setAttribute('data-value', String(s.users));
        row.appendChild(name);
        row.appendChild(bar);
        row.appendChild(users);
        div.appendChild(row);
      });
      box.appendChild(div);
    });
  }

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) { td.className = cls; }
    tr.appendChild(td);
  }

  function drawAlerts(answer) {
    var body = $('alerts').querySelector('tbody');
    body.innerHTML = '';
    answer.alerts.forEach(function (a) {
      var r = a.row || {};
      var tr = document.createElement('tr');
      tr.setAttribute('data-alert-id', a.alert_id);
      cell(tr, r.window_start ? new Date(r.window_start).toLocaleTimeString('en-GB') : '');
      cell(tr, (r.series || '') + ' ' + (r.series_key || ''));
      cell(tr, r.value === undefined ? '' : number(r.value), 'num');
      cell(tr, r.mean === undefined ? '' : Number(r.mean).toFixed(1), 'num');
      cell(tr, r.z_score === undefined ? '' : Number(r.z_score).toFixed(1), 'num');
      cell(tr, r.direction || '', r.direction || '');
      body.appendChild(tr);
    });
  }

  function render(d) {
    if (d.error) { status(d.error, 'problem'); return; }
    $('range').textContent = new Date(d.from).toLocaleString('en-GB') + ' – ' + new Date(d.to).toLocaleString('en-GB');
    setValue('kpi-events', d.events_per_minute.total);
    setValue('kpi-errors', d.errors_per_minute.total);
    setValue('kpi-users', d.distinct_users.distinct_users);
    setValue('kpi-sessions', d.sessions.sessions);
    setValue('kpi-alerts', d.alerts.alerts.length);
    var layers = {};
    d.events_per_minute.buckets.forEach(function (b) { layers[b.layer] = (layers[b.layer] || 0) + 1; });
    $('layers').textContent = '(minutes from ' + Object.keys(layers).sort().map(function (k) {
      return k + ': ' + layers[k];
    }).join(', ') + ')' + (d.events_per_minute.note ? ' ' + d.events_per_minute.note : '');
    if (changed('chart', [d.events_per_minute.buckets, d.errors_per_minute.buckets])) { drawChart(d); }
    if (changed('funnels', d.funnels)) { drawFunnels(d.funnels); }
    if (changed('alerts', d.alerts)) { drawAlerts(d.alerts); }
    lastComputedAt = d.computed_at;
    document.body.setAttribute('data-computed-at', d.computed_at);
    status('live · computed ' + new Date(d.computed_at).toLocaleTimeString('en-GB'));
  }

  function poll() {
    fetch('api/v1/dashboard' + suffix)
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function (e) { status('cannot reach the API: ' + e, 'problem'); })
      .then(function () { window.setTimeout(poll, POLL_MS); });
  }

  function listen() {
    var source = new EventSource('api/v1/dashboard/stream' + suffix);
    source.onmessage = function (e) { render(JSON.parse(e.data)); };
    source.addEventListener('problem', function (e) { status(JSON.parse(e.data).error, 'problem'); });
    source.onerror = function () {
      status('reconnecting… (last computed ' + (lastComputedAt || 'never') + ')', 'stale');
    };
  }

  $('api-link').setAttribute('href', 'api/v1/dashboard' + suffix);
  if (page.get('poll') || !window.EventSource) {
    document.body.setAttribute('data-mode', 'poll');
    poll();
  } else {
    document.body.setAttribute('data-mode', 'push');
    listen();
  }
})();
