package web

// ruleRoutes are the rule pages (filled in by their area).
var ruleRoutes = []route{}
