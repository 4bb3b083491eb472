// The design system's page template sets these classes from an inline script, which our CSP
// (script-src 'self') refuses; this file does the same, loaded first thing in <body>.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
