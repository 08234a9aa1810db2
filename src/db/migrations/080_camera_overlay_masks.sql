-- Parts of a camera's frame to ignore (burnt-in timestamp, logo, a billboard with letters): rectangles in
-- fractions of the image [0..1], so they survive a change of resolution. Read by the vision engine.
ALTER TABLE cameras ADD COLUMN overlay_masks jsonb NOT NULL DEFAULT '[]'::jsonb
  CHECK (jsonb_typeof(overlay_masks) = 'array' AND jsonb_array_length(overlay_masks) <= 20);
