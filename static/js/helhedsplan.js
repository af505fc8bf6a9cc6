// Starts the design system's components (error summary focus, accordions, alerts).
// Loaded with `defer` after dkfds.min.js, so the DOM and DKFDS are both ready; kept in a file
// of its own because the pages allow no inline script.
DKFDS.init();
