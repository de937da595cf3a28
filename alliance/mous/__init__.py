"""The MoU pages: partners submit and follow their MoUs, managers review them; the list and its export
are a register (``registers.pages.Register``) with pages of their own."""
