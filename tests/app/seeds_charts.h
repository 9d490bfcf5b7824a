// The seeds' access charts as the walk-through reads them: one row per chart cell, citing the
// seed file and line, naming the capability (and scope) that cell gives or withholds. Where a
// seed cell is ambiguous (the charts lost their tick marks in extraction, and Autotask lists no
// permissions at all) the row follows the choice written beside it in domain/presets.txt; the
// expected visibility of every resource and note is then derived from these rows
// (seeds_oracle.h), never from the code under test.
//
// A chart column is complete: what it does not list is not granted, so GET /v1/portal/me must
// list exactly its granted rows and every other capability of the catalogue is missing.
#pragma once

#include <string>
#include <vector>

namespace portico::app_testing::seeds {

struct ChartCell {
  const char* seed;        // "000"
  const char* lines;       // "l52"
  const char* function;    // the chart's row, quoted, with the column's entry
  const char* capability;  // catalogue name
  const char* scope;       // "" where the capability has no scopes
  bool granted;
};

struct ChartColumn {
  const char* level;  // the preset's id
  const char* title;  // "AroFlo client chart, Manager column"
  std::vector<ChartCell> cells;
};

inline constexpr bool kGranted = true;
inline constexpr bool kNotGranted = false;

// -- Seed 000: AroFlo client "Chart of Access" (lines 40-79) ------------------------------------
inline const ChartColumn& AroFloClientManager() {
  static const ChartColumn c{"client-manager", "seed 000 AroFlo client chart, Manager column", {
      {"000", "l45", "Create tasks", "tasks.create", "", kGranted},
      {"000", "l47", "Add task notes", "tasks.notes.add", "", kGranted},
      {"000", "l49", "Access current tasks (all of the organisation)", "tasks.view.current", "org", kGranted},
      {"000", "l54", "Access completed tasks (all of the organisation)", "tasks.view.completed", "org", kGranted},
      {"000", "l59", "Access periodic tasks", "tasks.view.periodic", "org", kGranted},
      {"000", "l61", "Access quotes", "quotes.view", "org", kGranted},
      {"000", "l65", "Access projects", "projects.view", "org", kGranted},
      {"000", "l67", "Access locations", "locations.view", "org", kGranted},
      {"000", "l69", "Access reports (full; Base has client view only)", "reports.view", "full", kGranted},
      {"000", "l77-79", "Document and Note Visibility: 'Show Client' notes on tasks", "tasks.notes.view",
       "client_notes", kGranted},
  }};
  return c;
}

inline const ChartColumn& AroFloClientBase() {
  static const ChartColumn c{"client-base", "seed 000 AroFlo client chart, Base column", {
      {"000", "l45", "Create tasks", "tasks.create", "", kGranted},
      {"000", "l47", "Add task notes", "tasks.notes.add", "", kGranted},
      {"000", "l52,l74", "Access current tasks: Task contact only*", "tasks.view.current", "contact", kGranted},
      {"000", "l57,l74", "Access completed tasks: Task contact only*", "tasks.view.completed", "contact", kGranted},
      {"000", "l59", "Access periodic tasks: Manager only", "tasks.view.periodic", "org", kNotGranted},
      {"000", "l61", "Access quotes: Manager only", "quotes.view", "org", kNotGranted},
      {"000", "l65", "Access projects: Manager only", "projects.view", "org", kNotGranted},
      {"000", "l67", "Access locations: Manager only", "locations.view", "org", kNotGranted},
      {"000", "l72", "Access reports: Client view only", "reports.view", "client_view", kGranted},
      {"000", "l77-79", "Document and Note Visibility: 'Show Client' notes on tasks", "tasks.notes.view",
       "client_notes", kGranted},
  }};
  return c;
}

// -- Seed 001: AroFlo "Contractor Login Chart of Access" (lines 58-134) -------------------------
// "scheduled tasks" are the tasks the user is scheduled on: assigned to it.
inline const ChartColumn& AroFloContractorManager() {
  static const ChartColumn c{"contractor-manager", "seed 001 AroFlo contractor chart, Manager column", {
      {"001", "l75-78", "Access Current Tasks: Assigned (to business ...) and scheduled tasks",
       "tasks.view.current", "assigned_business", kGranted},
      {"001", "l75-78", "Access Current Tasks: Assigned (... and user) and scheduled tasks", "tasks.view.current",
       "assigned", kGranted},
      {"001", "l82", "Assign Tasks", "tasks.assign", "", kGranted},
      {"001", "l85-87", "Access Task Checklists: existing checklists on tasks", "tasks.checklists", "", kGranted},
      {"001", "l89", "Add Labour/Materials and Expenses", "tasks.labour.add", "", kGranted},
      {"001", "l94", "Access Completed Tasks (as current: the business's)", "tasks.view.completed",
       "assigned_business", kGranted},
      {"001", "l94", "Access Completed Tasks (as current: the user's)", "tasks.view.completed", "assigned",
       kGranted},
      {"001", "l100", "Upload Photos to a Task", "tasks.photos.upload", "", kGranted},
      {"001", "l108", "Add or Remove Assets From a Task", "tasks.assets.manage", "", kGranted},
      {"001", "l115-118", "View Task Notes: Contractor notes only", "tasks.notes.view", "contractor_notes",
       kGranted},
      {"001", "l122-124", "Add Task Notes", "tasks.notes.add", "", kGranted},
      {"001", "l127-130", "Access Compliance Forms: Own forms only", "forms.compliance", "own", kGranted},
      {"001", "l58-134", "periodic tasks are not in the contractor chart", "tasks.view.periodic", "org",
       kNotGranted},
  }};
  return c;
}

inline const ChartColumn& AroFloContractorBase() {
  static const ChartColumn c{"contractor-base", "seed 001 AroFlo contractor chart, Base column", {
      {"001", "l80", "Access Current Tasks: Assigned (to user) and scheduled tasks", "tasks.view.current",
       "assigned", kGranted},
      {"001", "l82", "Assign Tasks: Manager only", "tasks.assign", "", kNotGranted},
      {"001", "l87", "Access Task Checklists: existing checklists on tasks", "tasks.checklists", "", kGranted},
      {"001", "l89", "Add Labour/Materials and Expenses", "tasks.labour.add", "", kGranted},
      {"001", "l97", "Access Completed Tasks: Assigned tasks only", "tasks.view.completed", "assigned", kGranted},
      {"001", "l100", "Upload Photos to a Task", "tasks.photos.upload", "", kGranted},
      {"001", "l108", "Add or Remove Assets From a Task: Manager only", "tasks.assets.manage", "", kNotGranted},
      {"001", "l120", "View Task Notes: Contractor notes only", "tasks.notes.view", "contractor_notes", kGranted},
      {"001", "l122-124", "Add Task Notes", "tasks.notes.add", "", kGranted},
      {"001", "l132", "Access Compliance Forms: Own forms only", "forms.compliance", "own", kGranted},
      {"001", "l58-134", "periodic tasks are not in the contractor chart", "tasks.view.periodic", "org",
       kNotGranted},
  }};
  return c;
}

// -- Seed 002: Daftra client permissions (lines 27-56), all ticked ------------------------------
inline const ChartColumn& DaftraClientPermissions() {
  static const ChartColumn c{"client-self-service", "seed 002 Daftra client permissions, all ticked", {
      {"002", "l30", "View his Profile", "profile.view", "", kGranted},
      {"002", "l32,l46", "View Shared Notes / Attachments: the notes 'Share with Client'", "notes.shared.view",
       "org", kGranted},
      {"002", "l32", "View Shared Notes / Attachments: the attachments", "files.view", "org", kGranted},
      {"002", "l48", "View & Pay Invoices: view", "invoices.view", "org", kGranted},
      {"002", "l48", "View & Pay Invoices: pay", "invoices.pay", "org", kGranted},
      {"002", "l50", "View & Approve Estimates: view", "estimates.view", "org", kGranted},
      {"002", "l50", "View & Approve Estimates: approve", "estimates.approve", "org", kGranted},
      {"002", "l52", "View Work Orders", "work_orders.view", "org", kGranted},
      {"002", "l54", "View Appointments", "appointments.view", "org", kGranted},
      {"002", "l56", "Statement", "statement.view", "org", kGranted},
      {"002", "l27-56", "tasks are not in Daftra's list", "tasks.view.current", "org", kNotGranted},
      {"002", "l27-56", "quotes are not in Daftra's list (estimates are)", "quotes.view", "org", kNotGranted},
  }};
  return c;
}

// -- Seed 003: Autotask standard Client Portal security levels (lines 3, 5, 16-17, 24, 32-46) ---
// The seed names the levels without their permissions; presets.txt grades them (Basic: own
// tickets; Advanced: the organisation's; Manager: with its sub-organisations, plus commercial
// records and user management).
inline const ChartColumn& AutotaskBasic() {
  static const ChartColumn c{"portal-basic", "seed 003 Autotask Basic", {
      {"003", "l17", "Basic: raise tickets", "tasks.create", "", kGranted},
      {"003", "l17", "Basic: add notes to its tickets", "tasks.notes.add", "", kGranted},
      {"003", "l17", "Basic: its own open tickets", "tasks.view.current", "contact", kGranted},
      {"003", "l17", "Basic: its own closed tickets", "tasks.view.completed", "contact", kGranted},
      {"003", "l17", "Basic: client-visible notes of its tickets", "tasks.notes.view", "client_notes", kGranted},
      {"003", "l3", "profile information: view", "profile.view", "", kGranted},
      {"003", "l3", "profile information: update", "profile.update", "", kGranted},
      {"003", "l17", "Basic: notifications", "alerts.subscribe", "", kGranted},
      {"003", "l17", "Basic: recurring tickets (Advanced and up)", "tasks.view.periodic", "org", kNotGranted},
      {"003", "l32-38", "Basic: devices tab (Advanced and up)", "devices.view", "org", kNotGranted},
      {"003", "l2-3", "Basic: managing users (Client Portal Managers only)", "users.manage", "", kNotGranted},
  }};
  return c;
}

inline const ChartColumn& AutotaskAdvanced() {
  static const ChartColumn c{"portal-advanced", "seed 003 Autotask Advanced", {
      {"003", "l17", "Advanced: raise tickets", "tasks.create", "", kGranted},
      {"003", "l17", "Advanced: add ticket notes", "tasks.notes.add", "", kGranted},
      {"003", "l17", "Advanced: every ticket of the organisation", "tasks.view.current", "org", kGranted},
      {"003", "l17", "Advanced: every closed ticket of the organisation", "tasks.view.completed", "org", kGranted},
      {"003", "l17", "Advanced: recurring tickets", "tasks.view.periodic", "org", kGranted},
      {"003", "l17", "Advanced: client-visible ticket notes", "tasks.notes.view", "client_notes", kGranted},
      {"003", "l3", "collaborate on tickets and projects", "projects.view", "org", kGranted},
      {"003", "l32-38", "devices, where the level allows", "devices.view", "org", kGranted},
      {"003", "l17", "Advanced: ticket attachments", "files.view", "org", kGranted},
      {"003", "l3", "profile information: view", "profile.view", "", kGranted},
      {"003", "l3", "profile information: update", "profile.update", "", kGranted},
      {"003", "l17", "Advanced: notifications", "alerts.subscribe", "", kGranted},
      {"003", "l5,l24", "Advanced: sub-organisations (Manager only)", "tasks.view.current", "org_tree",
       kNotGranted},
      {"003", "l17", "Advanced: invoices (Manager only)", "invoices.view", "org", kNotGranted},
      {"003", "l2-3", "Advanced: managing users (Client Portal Managers only)", "users.manage", "", kNotGranted},
  }};
  return c;
}

inline const ChartColumn& AutotaskManager() {
  static const ChartColumn c{"portal-manager", "seed 003 Autotask Manager", {
      {"003", "l17", "Manager: raise tickets", "tasks.create", "", kGranted},
      {"003", "l17", "Manager: add ticket notes", "tasks.notes.add", "", kGranted},
      {"003", "l5,l24", "Manager: tickets of the organisation and its sub-organisations", "tasks.view.current",
       "org_tree", kGranted},
      {"003", "l5,l24", "Manager: closed tickets, sub-organisations included", "tasks.view.completed", "org_tree",
       kGranted},
      {"003", "l5,l24", "Manager: recurring tickets, sub-organisations included", "tasks.view.periodic",
       "org_tree", kGranted},
      {"003", "l17", "Manager: client-visible ticket notes", "tasks.notes.view", "client_notes", kGranted},
      {"003", "l3,l5", "projects, sub-organisations included", "projects.view", "org_tree", kGranted},
      {"003", "l32-38", "devices, sub-organisations included", "devices.view", "org_tree", kGranted},
      {"003", "l5", "files, sub-organisations included", "files.view", "org_tree", kGranted},
      {"003", "l17", "Manager: quotes (commercial records)", "quotes.view", "org_tree", kGranted},
      {"003", "l17", "Manager: invoices (commercial records)", "invoices.view", "org_tree", kGranted},
      {"003", "l17", "Manager: full reports", "reports.view", "full", kGranted},
      {"003", "l2-3,l7-19,l39-46", "Client Portal Managers manage users", "users.manage", "", kGranted},
      {"003", "l3", "profile information: view", "profile.view", "", kGranted},
      {"003", "l3", "profile information: update", "profile.update", "", kGranted},
      {"003", "l17", "Manager: notifications", "alerts.subscribe", "", kGranted},
      {"003", "l17", "Manager: estimates are not among its records", "estimates.view", "org", kNotGranted},
  }};
  return c;
}

}  // namespace portico::app_testing::seeds
