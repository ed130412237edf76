// Small enhancements for pages that work without JavaScript: cooldown countdowns and copy buttons.
(function () {
  'use strict';

  document.querySelectorAll('[data-cooldown-seconds]').forEach(function (notice) {
    var left = Number(notice.getAttribute('data-cooldown-seconds'));
    var label = notice.querySelector('.cooldown-left');
    var form = notice.closest('form');
    var button = form && form.querySelector('[data-cooldown-button]');
    var timer = setInterval(function () {
      left -= 1;
      if (left > 0) {
        if (label) label.textContent = left + ' s';
        return;
      }
      clearInterval(timer);
      notice.hidden = true;
      if (button) button.disabled = false;
    }, 1000);
  });

  document.querySelectorAll('[data-copy-target]').forEach(function (button) {
    button.addEventListener('click', function () {
      var target = document.getElementById(button.getAttribute('data-copy-target'));
      if (!target) return;
      var text = 'value' in target ? target.value : target.textContent;
      var done = function () {
        var before = button.textContent;
        button.textContent = 'Copied';
        setTimeout(function () {
          button.textContent = before;
        }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () {
          select(target);
        });
      } else {
        select(target);
        try {
          document.execCommand('copy');
          done();
        } catch (e) {
          /* selected: the learner copies by hand */
        }
      }
    });
  });

  function select(target) {
    if (typeof target.select === 'function') target.select();
    else {
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
  }
})();
