// Starts the design system's components (header menu, skip link, buttons, error summary,
// notification banners, character count). The package is imported from the versioned URL the
// page gives, so a browser never keeps running an older vendored copy.
const script = document.querySelector("script[data-nhsuk-frontend]");
import(script.getAttribute("data-nhsuk-frontend")).then((frontend) => frontend.initAll());
