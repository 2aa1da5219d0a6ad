package web

// userRoutes are the user pages (filled in by their area).
var userRoutes = []route{}
