"""Training corpus: songs as aligned mono stems plus one-shots cut from their percussion stems.

layout (read/write), build (generator from Debian-packaged recordings or numpy synthesis), ingest (users'
own multitracks). See README.md in this folder.
"""
