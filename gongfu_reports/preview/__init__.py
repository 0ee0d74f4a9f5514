"""`gongfu serve`: a live preview of the printed pages."""
