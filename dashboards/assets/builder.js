// The chart builder: the form becomes chart parameters, which update the preview, the snippet,
// the download links and the page URL. Only fields the chosen chart uses are shown and sent.
(() => {
  var form = document.getElementById('builder');
  if (!form) return;
  var preview = document.getElementById('preview');
  var snippet = document.getElementById('snippet');
  var DRAWING = { width: '640', height: '320' };

  function chosenChart() {
    return form.elements.chart.value;
  }

  function update() {
    var chart = chosenChart();
    var params = new URLSearchParams();
    form.querySelectorAll('label[data-charts]').forEach((label) => {
      var used = label.getAttribute('data-charts').split(' ').indexOf(chart) >= 0;
      label.hidden = !used;
      var control = label.querySelector('select, input');
      if (used && control.name !== 'chart' && control.value && DRAWING[control.name] !== control.value) {
        params.set(control.name, control.value);
      }
    });
    var query = params.toString();
    var suffix = query ? `?${query}` : '';
    var origin = window.location.origin;
    var embed = `${origin}/embed/${chart}${suffix}`;
    var height = Number(form.elements.height.value || 320) + 240;
    preview.src = embed;
    preview.height = String(height);
    var title = form.elements.chart.selectedOptions[0].textContent;
    snippet.value = `<iframe src="${embed}" width="100%" height="${height}" style="border:0" title="${title}" loading="lazy"></iframe>`;
    document.getElementById('svg-link').href = `/charts/${chart}.svg${suffix}`;
    document.getElementById('png-link').href = `/charts/${chart}.png${suffix}`;
    document.getElementById('csv-link').href = `/charts/${chart}.csv${suffix}`;
    document.getElementById('spec-link').href = `/charts/${chart}.vl.json${suffix}`;
    var state = new URLSearchParams(params);
    state.set('chart', chart);
    window.history.replaceState(null, '', `/builder?${state}`);
  }

  form.addEventListener('change', update);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    update();
  });
  document.getElementById('copy').addEventListener('click', () => {
    snippet.select();
    var done = () => {
      document.getElementById('copied').textContent = form.getAttribute('data-copied') || 'Copied.';
    };
    if (navigator.clipboard) navigator.clipboard.writeText(snippet.value).then(done, done);
    else done();
  });
  update();
})();
