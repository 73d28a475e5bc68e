// Draws the chart of an embed page with vega-embed and fills its accessible data table.
// Loaded from this server only; no inline script, so a strict Content-Security-Policy holds.
(() => {
  var figure = document.querySelector('[data-spec]');
  if (!figure) return;
  var target = figure.querySelector('.chart');
  var status = figure.querySelector('.status');
  fetch(figure.getAttribute('data-spec'), { headers: { Accept: 'application/json' } })
    .then((response) => {
      if (!response.ok) throw new Error(`The chart data could not be loaded (HTTP ${response.status}).`);
      return response.json();
    })
    .then((spec) => {
      spec.width = 'container';
      spec.autosize = { type: 'fit', contains: 'padding' };
      return window.vegaEmbed(target, spec, { actions: false, renderer: 'svg', ast: true }).then(() => {
        if (status) status.textContent = '';
        fillTable(figure.querySelector('table'), spec.data.values);
        figure.setAttribute('data-rendered', 'true');
      });
    })
    .catch((error) => {
      if (status) status.textContent = error.message;
      figure.setAttribute('data-rendered', 'error');
    });

  function fillTable(table, values) {
    if (!table || !values) return;
    var body = table.querySelector('tbody');
    values.forEach((row) => {
      var tr = document.createElement('tr');
      [row.series, row.period, Number(row.value).toLocaleString('en')].forEach((text) => {
        var td = document.createElement('td');
        td.textContent = text;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
})();
