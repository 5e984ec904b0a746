"""Router: classifies each grievance (track, area, departments, urgency, repeats) and hands it off."""
