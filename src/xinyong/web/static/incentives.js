// 信易+: refresh the holder's credit code before it expires; scan with the camera where the
// browser offers BarcodeDetector (the pasted token always works).
(function () {
  "use strict";
  var box = document.querySelector(".credit-code");
  if (box) {
    var refresh = function () {
      fetch(box.dataset.refresh, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": box.dataset.csrf },
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          document.getElementById("code-qr").src = data.qr;
          document.getElementById("code-token").textContent = data.token;
          document.getElementById("code-expires").textContent = data.expires_local;
        });
    };
    document.getElementById("code-refresh").addEventListener("click", refresh);
    window.setInterval(refresh, 150000);
  }
  var camera = document.getElementById("scan-camera");
  if (camera && "BarcodeDetector" in window && navigator.mediaDevices) {
    camera.hidden = false;
    camera.addEventListener("click", function () {
      var video = document.getElementById("scan-video");
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.hidden = false;
        video.srcObject = stream;
        video.play();
        var tick = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              document.getElementById("token").value = codes[0].rawValue;
              stream.getTracks().forEach(function (t) { t.stop(); });
              video.hidden = true;
              document.querySelector(".scan-form").submit();
            } else {
              window.requestAnimationFrame(tick);
            }
          });
        };
        tick();
      });
    });
  }
})();
