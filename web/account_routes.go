package web

// accountRoutes are the account pages (filled in by their area).
var accountRoutes = []route{}
