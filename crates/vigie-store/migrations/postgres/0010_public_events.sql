-- What the public report says of a shared event: nothing until a member of the CERT marks
-- it public with a title and a summary written for the public (the name and description
-- stay the staff's own words), and even then only when enough declarations are linked.
ALTER TABLE events ADD COLUMN public_title TEXT;
ALTER TABLE events ADD COLUMN public_summary TEXT;
ALTER TABLE events ADD COLUMN made_public_by BIGINT REFERENCES users (id);
ALTER TABLE events ADD COLUMN made_public_at_ns BIGINT;
