// The dashboard's filters apply as soon as one changes: the form is a plain GET, so the URL always
// holds the view (shareable, bookmarkable) and the page works without scripts too.
(() => {
  var form = document.getElementById('filters');
  if (!form) return;
  form.addEventListener('change', () => {
    // Empty choices are defaults: keep them out of the URL.
    var params = new URLSearchParams();
    new FormData(form).forEach((value, key) => {
      if (value) params.append(key, value);
    });
    var query = params.toString();
    window.location.assign(query ? `/?${query}` : '/');
  });
})();
