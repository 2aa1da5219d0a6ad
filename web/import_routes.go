package web

// importRoutes are the import pages (filled in by their area).
var importRoutes = []route{}
