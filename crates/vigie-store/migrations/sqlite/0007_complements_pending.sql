-- Requests for complements still pending: what the reminders look for every few minutes,
-- in the order they read them, without reading every incident (a server holding millions
-- of them starts faster).

CREATE INDEX incidents_complements_pending ON incidents (id)
    WHERE complements_requested AND NOT complements_received;
