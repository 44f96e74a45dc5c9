"""Report renderers: pure functions from report data (portal.services.reporting) to bytes, and
the words and shading the pages and PDFs share. `formats.render` picks the renderer for a format."""
