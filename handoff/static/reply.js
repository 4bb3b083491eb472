// The reply box's live counter. It follows responses.sms.segments exactly: a text is GSM-7 when
// every character is in the GSM 03.38 basic or extension set (the server puts both sets on the
// textarea), extension characters take 2 septets and are never split; GSM-7 fits 160 in one
// segment, else 153 per segment. Otherwise it is UCS-2: 70, else 67 units per segment, and a
// character outside the BMP takes 2 units that are never split.
(function () {
  "use strict";
  var box = document.getElementById("body");
  if (!box) { return; }
  var basic = new Set(Array.from(JSON.parse(box.getAttribute("data-gsm-basic"))));
  var extension = new Set(Array.from(JSON.parse(box.getAttribute("data-gsm-extension"))));
  var charsOut = document.getElementById("sms-chars");
  var segmentsOut = document.getElementById("sms-segments");
  var warning = document.getElementById("sms-ucs2");

  function isGsm(ch) { return basic.has(ch) || extension.has(ch); }

  function measure(text) {
    var chars = Array.from(text);  // code points, as Python counts them
    var gsm = chars.every(isGsm);
    var units = chars.map(function (ch) {
      if (gsm) { return extension.has(ch) ? 2 : 1; }
      return ch.codePointAt(0) > 0xFFFF ? 2 : 1;
    });
    var single = gsm ? 160 : 70;
    var multi = gsm ? 153 : 67;
    var total = units.reduce(function (a, b) { return a + b; }, 0);
    var parts = 0;
    if (chars.length && total <= single) {
      parts = 1;
    } else if (chars.length) {
      var used = 0;
      parts = 1;
      units.forEach(function (unit) {
        if (used + unit > multi) { parts += 1; used = 0; }
        used += unit;
      });
    }
    var odd = [];
    chars.forEach(function (ch) { if (!isGsm(ch) && odd.indexOf(ch) < 0) { odd.push(ch); } });
    return {chars: chars.length, encoding: gsm ? "GSM-7" : "UCS-2", segments: parts, odd: odd};
  }

  function show(ch) {
    // spaces and invisible characters are named by code, or the warning would show nothing
    if (/\s/.test(ch) || /[\u200b-\u200f\u2060\ufeff\u00ad\ufe0e\ufe0f]/.test(ch)) {
      return "U+" + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
    }
    return "\u201c" + ch + "\u201d";
  }

  function update() {
    // what is sent: the server turns CRLF into LF and trims the ends
    var m = measure(box.value.replace(/\r\n/g, "\n").trim());
    charsOut.textContent = m.chars + (m.chars === 1 ? " character" : " characters");
    var segmentsText = m.segments + (m.segments === 1 ? " segment" : " segments") + " (" + m.encoding + ")";
    if (segmentsOut.textContent !== segmentsText) { segmentsOut.textContent = segmentsText; }
    var warn = m.odd.length ? "These characters force UCS-2, so each segment holds 70 characters instead of 160: " +
      m.odd.map(show).join(", ") + ". Replace them with plain ones to send fewer segments." : "";
    if (warning.textContent !== warn) { warning.textContent = warn; }
    warning.hidden = !warn;
  }

  var canned = document.querySelector(".canned");
  var select = document.getElementById("canned");
  var insert = document.getElementById("canned-insert");
  if (canned && select && insert) {
    canned.hidden = false;  // only useful with scripts on
    insert.addEventListener("click", function () {
      var text = select.options[select.selectedIndex].getAttribute("data-text") || "";
      var start = box.selectionStart, end = box.selectionEnd;
      box.setRangeText(text, start, end, "end");
      box.focus();
      update();
    });
  }
  box.addEventListener("input", update);
  update();
}());
