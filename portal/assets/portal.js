// The portal works without this file; it adds: focus on the error summary, upload progress for
// large files, a drop target, and no second press of a confirm button.
(() => {
  const focus = document.querySelector('[data-focus]');
  if (focus) focus.focus();

  for (const form of document.querySelectorAll('form[data-once]')) {
    form.addEventListener('submit', (event) => {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = '1';
      for (const b of form.querySelectorAll('button')) b.setAttribute('aria-disabled', 'true');
    });
  }

  for (const form of document.querySelectorAll('form[data-upload]')) {
    const input = form.querySelector('input[type=file]');
    const bar = form.querySelector('progress');
    if (input) {
      input.addEventListener('dragenter', () => input.classList.add('dragging'));
      for (const e of ['dragleave', 'drop']) input.addEventListener(e, () => input.classList.remove('dragging'));
    }
    form.addEventListener('submit', (event) => {
      const file = input?.files?.[0];
      // Small files go as a plain form post; large ones show their progress.
      if (!file || file.size < 200_000 || !window.XMLHttpRequest || !bar) return;
      event.preventDefault();
      const xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      bar.hidden = false;
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener('load', () => {
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener('error', () => {
        bar.hidden = true;
        alert('The upload was cut off; nothing was kept. Check the connection and try again.');
      });
      xhr.send(new FormData(form));
    });
  }
})();
