package web

// scenarioRoutes are the scenario pages (filled in by their area).
var scenarioRoutes = []route{}
