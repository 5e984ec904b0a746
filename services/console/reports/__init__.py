"""The annual report of 《信访工作条例》第四十一条, built from the services' statistics APIs."""
