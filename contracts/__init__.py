"""Every wire and stored shape of Backlinks, as msgspec Structs shared by gateway and workers."""
