package web

// templateRoutes are the template pages (filled in by their area).
var templateRoutes = []route{}
