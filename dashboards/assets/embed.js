// Draws every chart on the page (each `figure[data-spec]`) with vega-embed, at the figure's width.
// Loaded from this server only; no inline script, so a strict Content-Security-Policy holds.
// The spec is asked for the figure's own width, so a phone gets the phone layout (legend below,
// fewer axis labels, wrapped titles) that the server lays out for that width.
(() => {
  document.querySelectorAll('figure[data-spec]').forEach((figure) => {
    var target = figure.querySelector('.chart');
    var status = figure.querySelector('.status');
    var url = new URL(figure.getAttribute('data-spec'), window.location.href);
    var width = Math.round(target.clientWidth || figure.clientWidth || 0);
    if (width >= 200) url.searchParams.set('width', String(Math.min(2000, width)));
    fetch(url.pathname + url.search, { headers: { Accept: 'application/json' } })
      .then((response) => {
        if (!response.ok) {
          return response
            .json()
            .catch(() => ({}))
            .then((problem) => {
              var message = figure.getAttribute('data-error') || 'The chart could not be loaded (HTTP {status}).';
              throw new Error(problem.title || message.replace('{status}', String(response.status)));
            });
        }
        return response.json();
      })
      .then((spec) => {
        // The caption under the chart carries the source line, wrapped by the browser at any width.
        if (spec.title?.subtitle) delete spec.title.subtitle;
        spec.width = 'container';
        spec.autosize = { type: 'fit-x', contains: 'padding' };
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
