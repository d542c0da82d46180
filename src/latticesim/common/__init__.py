"""Small helpers every layer uses: quarters of the calendar, English words, files written whole."""
