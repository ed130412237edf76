// Live updates of a submission page: an EventSource on /submissions/:id/events redraws the stage
// timeline as the worker moves on, and when grading ends the page's live part is reloaded from
// the server (which renders the results). Without JavaScript the page works the same, with a
// "Refresh" link instead.
(function () {
  'use strict';

  var PIPELINE = ['queued', 'cloning', 'installing', 'building', 'probing', 'starting', 'testing'];
  var FINAL_LABELS = { scored: 'Scored', error: 'Error' };

  var root = document.getElementById('submission-live');
  if (!root || root.dataset.finished === 'true' || !window.EventSource) return;

  var state = null;
  var clockSkewMs = 0; // server clock minus browser clock
  var source = null;
  var ticker = null;

  function isFinished(status) {
    return status === 'scored' || status === 'error';
  }

  function parseTime(iso) {
    return iso ? new Date(iso).getTime() : null;
  }

  function formatDuration(ms) {
    if (ms === null || ms === undefined || !isFinite(ms) || ms < 0) return '';
    if (ms < 10000) return (ms / 1000).toFixed(1) + ' s';
    var seconds = Math.round(ms / 1000);
    if (seconds < 60) return seconds + ' s';
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return rest ? minutes + ' min ' + rest + ' s' : minutes + ' min';
  }

  function setText(element, text) {
    if (element && element.textContent !== text) element.textContent = text;
  }

  function stageRows() {
    var rows = {};
    state.stages.forEach(function (row) {
      rows[row.stage] = row;
    });
    return rows;
  }

  // The same rules as buildTimeline in server/lib/submissionView.ts.
  function render() {
    var timeline = document.getElementById('timeline');
    if (!timeline || !state) return;
    var rows = stageRows();
    var finished = isFinished(state.status);
    var now = Date.now() + clockSkewMs;
    var lastStarted = null;
    PIPELINE.forEach(function (stage) {
      if (rows[stage]) lastStarted = stage;
    });
    PIPELINE.forEach(function (stage) {
      var item = timeline.querySelector('[data-stage="' + stage + '"]');
      if (!item) return;
      var row = rows[stage];
      var stepState;
      if (!row) stepState = finished ? 'skipped' : 'pending';
      else if (finished && state.status === 'error' && stage === lastStarted && stage !== 'queued') stepState = 'failed';
      else if (row.finished_at || finished) stepState = 'done';
      else stepState = 'current';
      item.dataset.state = stepState;
      var end = row && row.finished_at ? parseTime(row.finished_at) : stepState === 'current' ? now : null;
      setText(item.querySelector('.step-time'), row && end ? formatDuration(end - parseTime(row.started_at)) : '');
      var detail = '';
      if (stage === 'queued' && state.position) detail = '#' + state.position + ' in queue';
      else if (row && row.detail) detail = row.detail;
      setText(item.querySelector('.step-detail'), detail);
      setText(item.querySelector('.visually-hidden'), '(' + stepState + ')');
    });
    var last = timeline.querySelector('[data-stage="final"]');
    if (last) {
      last.dataset.state = !finished ? 'pending' : state.status === 'error' ? 'failed' : 'done';
      setText(last.querySelector('.step-label'), FINAL_LABELS[state.status] || 'Result');
    }
    var note = document.getElementById('progress-note');
    if (note) {
      if (state.status === 'queued' && note.dataset.waitingUntil && new Date(note.dataset.waitingUntil) > new Date()) {
        // Delayed by the learner's cooldown: the server-rendered sentence stays true.
      } else if (state.status === 'queued') {
        setText(note, state.position ? 'Waiting for a grader: you are #' + state.position + ' in the queue.' : 'Waiting for a grader.');
      } else if (!finished) {
        setText(note, 'Your app is being graded. This usually takes a few minutes.');
      } else {
        setText(note, 'Grading finished. Loading the results…');
      }
    }
    var badge = document.getElementById('status-badge');
    if (badge) {
      badge.className = 'badge badge-' + state.status;
      setText(badge, state.status === 'running' ? 'grading' : state.status);
    }
  }

  // A progress event: the submission has just entered `stage` at `at`; earlier stages are over.
  function applyProgress(progress) {
    if (!state) return;
    var found = false;
    state.stages.forEach(function (row) {
      if (row.stage === progress.stage) {
        found = true;
        row.started_at = progress.at;
        row.finished_at = isFinished(progress.stage) ? progress.at : null;
        row.detail = progress.detail || row.detail;
      } else if (!row.finished_at) {
        row.finished_at = progress.at;
      }
    });
    if (!found) {
      state.stages.push({
        stage: progress.stage,
        started_at: progress.at,
        finished_at: isFinished(progress.stage) ? progress.at : null,
        detail: progress.detail || null,
      });
    }
    if (isFinished(progress.stage)) state.status = progress.stage;
    else if (progress.stage !== 'queued') state.status = 'running';
    if (progress.stage !== 'queued') state.position = null;
    render();
  }

  // Swap in the server-rendered page (results included) once grading is over.
  function reloadResults() {
    fetch(window.location.pathname, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, 'text/html');
        var fresh = page.getElementById('main');
        var current = document.getElementById('main');
        if (fresh && current) current.replaceWith(fresh);
        else window.location.reload();
      })
      .catch(function () {
        window.location.reload();
      });
  }

  function stop() {
    if (source) source.close();
    source = null;
    if (ticker) clearInterval(ticker);
    ticker = null;
    var pill = document.getElementById('live-pill');
    if (pill) pill.hidden = true;
  }

  function listen(name, handler) {
    source.addEventListener(name, function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      handler(data);
    });
  }

  source = new EventSource(root.dataset.eventsUrl);
  source.addEventListener('open', function () {
    var pill = document.getElementById('live-pill');
    if (pill) pill.hidden = false;
    var refresh = document.getElementById('refresh-link');
    if (refresh) refresh.hidden = true;
  });
  source.addEventListener('error', function () {
    // The browser reconnects by itself; the next `state` event catches up from the database.
    var pill = document.getElementById('live-pill');
    if (pill) pill.hidden = true;
  });
  listen('state', function (data) {
    state = data;
    clockSkewMs = parseTime(data.now) - Date.now();
    render();
  });
  listen('progress', applyProgress);
  listen('position', function (data) {
    if (!state) return;
    state.position = data.position;
    render();
  });
  listen('end', function () {
    stop();
    reloadResults();
  });
  // Keeps the running stage's clock ticking between events.
  ticker = setInterval(render, 1000);
})();
