// The language menu sends its form as soon as a language is chosen (the button inside
// <noscript> does it without JavaScript). A file, not an onchange attribute: the
// Content-Security-Policy allows no inline code (portal/security.py).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("language-form");
  if (!form) return;
  var select = form.querySelector("select[name=language]");
  if (select) select.addEventListener("change", function () { form.submit(); });
});
