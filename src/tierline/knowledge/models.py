"""Knowledge base articles written from resolved issues and problems, and the suggestions drawn from them."""
