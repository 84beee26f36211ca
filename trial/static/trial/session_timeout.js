// 21 CFR 11.10(d): the session ends after SESSION_IDLE_MINUTES without a request. A minute before,
// a banner says so and offers to stay signed in (a request moves the end on); at the end the page
// goes to the login page, which brings the user back here afterwards.
(function () {
  "use strict";
  // the user's language: Django's JavaScript catalog (admin:jsi18n); English without it
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((text, values) => text.replace("%s", values[0]));
  const script = document.currentScript;
  const idleSeconds = Number(script.dataset.idleSeconds);
  const keepaliveUrl = script.dataset.keepaliveUrl;
  const loginUrl = script.dataset.loginUrl;
  const statusUrl = script.dataset.statusUrl;
  let deadline = 0;
  let banner = null;

  function restart() {
    deadline = Date.now() + idleSeconds * 1000;
    if (banner) banner.hidden = true;
  }

  function showBanner(secondsLeft) {
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "session-warning";
      banner.className = "errornote";
      banner.setAttribute("role", "alert");
      banner.style.cssText = "position: fixed; top: 8px; left: 50%; transform: translateX(-50%);" +
        " z-index: 1000; padding: 10px 16px; background: var(--body-bg, #fff);";
      const text = document.createElement("span");
      text.id = "session-warning-text";
      const stay = document.createElement("button");
      stay.type = "button";
      stay.id = "session-stay";
      stay.textContent = gettext("Stay signed in");
      stay.style.marginLeft = "12px";
      stay.addEventListener("click", function () {
        // a signed-out session answers with a redirect to the login page: not a 204
        fetch(keepaliveUrl, { credentials: "same-origin", redirect: "manual" }).then(
          function (response) {
            if (response.status === 204) restart();
            else goToLogin();
          }
        );
      });
      banner.append(text, stay);
      document.body.append(banner);
    }
    banner.hidden = false;
    banner.querySelector("#session-warning-text").textContent =
      interpolate(
        gettext("For your security you will be signed out in %s s without activity. Unsaved changes on this page would be lost."),
        [secondsLeft]
      );
  }

  function goToLogin() {
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(window.location.pathname));
  }

  let asking = false;
  function tick() {
    const secondsLeft = Math.round((deadline - Date.now()) / 1000);
    if (secondsLeft <= 0 && !asking) {
      // another tab may have kept the session alive: ask the server before leaving the page
      asking = true;
      fetch(statusUrl, { credentials: "same-origin", redirect: "manual" })
        .then(function (response) {
          return response.status === 200 ? response.json() : { seconds_left: 0 };
        })
        .then(function (status) {
          asking = false;
          if (status.seconds_left > 5) {
            deadline = Date.now() + status.seconds_left * 1000;
            if (banner) banner.hidden = true;
          } else {
            goToLogin();
          }
        })
        .catch(function () {
          asking = false;
        });
    } else if (secondsLeft > 0 && secondsLeft <= 60) {
      showBanner(secondsLeft);
    }
  }

  restart();
  window.setInterval(tick, 1000);
})();
