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

  // The grid's row and column totals follow what is typed.
  for (const grid of document.querySelectorAll('table[data-grid]')) {
    const value = (input) => (/^\d+$/.test(input.value.trim()) ? Number(input.value.trim()) : 0);
    const fmt = (n) => n.toLocaleString('en');
    const update = () => {
      const columns = [];
      for (const row of grid.querySelectorAll('tbody tr')) {
        const inputs = row.querySelectorAll('input');
        if (inputs.length === 0) continue;
        let total = 0;
        inputs.forEach((input, i) => {
          total += value(input);
          columns[i] = (columns[i] ?? 0) + value(input);
        });
        const cell = row.querySelector('[data-row-total]');
        if (cell) cell.textContent = fmt(total);
      }
      grid.querySelectorAll('[data-col-total]').forEach((cell, i) => {
        cell.textContent = fmt(columns[i] ?? 0);
      });
      const grand = grid.querySelector('[data-grand-total]');
      if (grand) grand.textContent = fmt(columns.reduce((a, b) => a + b, 0));
    };
    grid.addEventListener('input', update);
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
