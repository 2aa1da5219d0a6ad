package web

import "recoup/auth"

// scenarioRoutes are the scenario pages: the list, the step editor, the
// versions and the diff of two versions.
var scenarioRoutes = []route{
	{method: "GET", path: "/scenarios", action: auth.ScenariosRead, handle: (*Handler).scenarioList},
	{method: "GET", path: "/scenarios/new", action: auth.ScenariosWrite, handle: (*Handler).scenarioNew},
	{method: "POST", path: "/scenarios/new", action: auth.ScenariosWrite, handle: (*Handler).scenarioCreate},
	{method: "GET", path: "/scenarios/:id", action: auth.ScenariosRead, handle: (*Handler).scenarioShow},
	{method: "POST", path: "/scenarios/:id", action: auth.ScenariosWrite, handle: (*Handler).scenarioUpdate},
	{method: "POST", path: "/scenarios/:id/archive", action: auth.ScenariosWrite, handle: (*Handler).scenarioArchive},
	{method: "GET", path: "/scenarios/:id/versions", action: auth.ScenariosRead, handle: (*Handler).scenarioVersions},
	{method: "GET", path: "/scenarios/:id/diff", action: auth.ScenariosRead, handle: (*Handler).scenarioDiff},
}
