package web

// entityRoutes are the entity pages (filled in by their area).
var entityRoutes = []route{}
