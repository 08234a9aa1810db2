-- Whether a camera watches an expressway (issue 11): the decree fines a car's lane change across a solid line
-- under 6.5.g (4-6M, 2 points) on an expressway and under 6.2.a elsewhere, and the emergency lane exists only
-- there. The camera's analytics cannot know the road's legal class; its settings say it.
ALTER TABLE cameras ADD COLUMN expressway boolean NOT NULL DEFAULT false;
