-- Inngest keeps its own state in a second database of the same server.
CREATE DATABASE inngest OWNER syncjobs;
