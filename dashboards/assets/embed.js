// Draws every chart on the page (each `figure[data-spec]`) with vega-embed, at the figure's width.
// Loaded from this server only; no inline script, so a strict Content-Security-Policy holds.
(() => {
  document.querySelectorAll('figure[data-spec]').forEach((figure) => {
    var target = figure.querySelector('.chart');
    var status = figure.querySelector('.status');
    fetch(figure.getAttribute('data-spec'), { headers: { Accept: 'application/json' } })
      .then((response) => {
        if (!response.ok) {
          return response
            .json()
            .catch(() => ({}))
            .then((problem) => {
              throw new Error(problem.title || `The chart could not be loaded (HTTP ${response.status}).`);
            });
        }
        return response.json();
      })
      .then((spec) => {
        // The caption under the chart carries the source line, wrapped by the browser at any width.
        if (spec.title?.subtitle) delete spec.title.subtitle;
        spec.width = 'container';
        spec.autosize = { type: 'fit', contains: 'padding' };
        return window.vegaEmbed(target, spec, { actions: false, renderer: 'svg', ast: true }).then(() => {
          if (status) status.textContent = '';
          figure.setAttribute('data-rendered', 'true');
        });
      })
      .catch((error) => {
        if (status) status.textContent = error.message;
        figure.setAttribute('data-rendered', 'error');
      });
  });
})();
