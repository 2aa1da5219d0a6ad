package web

// profileRoutes are the profile pages (filled in by their area).
var profileRoutes = []route{}
