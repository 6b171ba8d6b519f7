"""Room themes (Whereby's theme API): colours, logo and backgrounds, per room and per
organization, stored in the database and served to room pages."""
